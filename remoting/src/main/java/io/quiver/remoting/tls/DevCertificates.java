package io.quiver.remoting.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for trying TLS without a certificate authority: a self-signed one for a listener started without
 * {@code tls.server.certPath}, and a development set (a CA, a server and a client certificate signed by it) that
 * {@code quiver tls gen-dev-certs} writes. EC P-256 keys, PEM files, PKCS#8 private keys. Not for production.
 */
public final class DevCertificates {
    /** Validity of generated certificates. */
    public static final Duration VALIDITY = Duration.ofDays(365);

    private static final SecureRandom RANDOM = new SecureRandom();

    private DevCertificates() {}

    /** A certificate and its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
        /** The certificate as PEM text. */
        public String certificatePem() {
            try {
                return pem("CERTIFICATE", certificate.getEncoded());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The private key as unencrypted PKCS#8 PEM text. */
        public String keyPem() {
            return pem("PRIVATE KEY", key.getEncoded());
        }

        /** Writes {@code NAME.pem} and {@code NAME.key} (the key readable by its owner only where the disk allows). */
        public List<Path> write(Path dir, String name) {
            try {
                Files.createDirectories(dir);
                Path cert = dir.resolve(name + ".pem");
                Path key = dir.resolve(name + ".key");
                Files.writeString(cert, certificatePem(), StandardCharsets.US_ASCII);
                Files.writeString(key, keyPem(), StandardCharsets.US_ASCII);
                try {
                    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // a file system without POSIX permissions: left as created
                }
                return List.of(cert, key);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + name + " certificate files in " + dir, e);
            }
        }
    }

    /** A self-signed server certificate for {@code localhost}, 127.0.0.1 and this host's name. */
    public static Issued selfSigned() {
        KeyPair kp = keyPair();
        return new Issued(build(new X500Name("CN=quiver self-signed"), kp, kp.getPrivate(),
            new X500Name("CN=quiver self-signed"), false, KeyPurposeId.id_kp_serverAuth, Instant.now(), VALIDITY), kp.getPrivate());
    }

    /** A certificate authority for a development set. */
    public static Issued authority(String name) {
        KeyPair kp = keyPair();
        X500Name subject = new X500Name("CN=" + name);
        return new Issued(build(subject, kp, kp.getPrivate(), subject, true, null, Instant.now(), VALIDITY), kp.getPrivate());
    }

    /** A server certificate signed by {@code ca}, for {@code localhost}, 127.0.0.1 and this host's name. */
    public static Issued server(Issued ca, String name) {
        return signed(ca, name, KeyPurposeId.id_kp_serverAuth, Instant.now(), VALIDITY);
    }

    /** A client certificate signed by {@code ca} (mutual TLS), valid for {@code validity} from {@code from}. */
    public static Issued client(Issued ca, String name, Instant from, Duration validity) {
        return signed(ca, name, KeyPurposeId.id_kp_clientAuth, from, validity);
    }

    /**
     * Writes a development set into {@code dir}: {@code ca.pem}/{@code ca.key}, {@code server.pem}/{@code server.key}
     * and {@code client.pem}/{@code client.key}. Returns the files written.
     */
    public static List<Path> writeDevSet(Path dir) {
        Issued ca = authority("quiver development CA");
        List<Path> files = new ArrayList<>(ca.write(dir, "ca"));
        files.addAll(server(ca, "quiver server").write(dir, "server"));
        files.addAll(client(ca, "quiver client", Instant.now(), VALIDITY).write(dir, "client"));
        return files;
    }

    private static Issued signed(Issued ca, String name, KeyPurposeId purpose, Instant from, Duration validity) {
        KeyPair kp = keyPair();
        X500Name issuer = new X500Name(ca.certificate().getSubjectX500Principal().getName());
        return new Issued(build(new X500Name("CN=" + name), kp, ca.key(), issuer, false, purpose, from, validity),
            kp.getPrivate());
    }

    private static X509Certificate build(X500Name subject, KeyPair kp, PrivateKey signer, X500Name issuer, boolean ca,
                                         KeyPurposeId purpose, Instant from, Duration validity) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs(),
                Date.from(from.minus(Duration.ofMinutes(5))), Date.from(from.plus(validity)), subject, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                if (purpose == KeyPurposeId.id_kp_serverAuth) {
                    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(hostNames()));
                }
            }
            return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a certificate: " + e.getMessage(), e);
        }
    }

    private static GeneralName[] hostNames() {
        List<GeneralName> names = new ArrayList<>(List.of(new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (!host.equals("localhost")) {
                names.add(new GeneralName(GeneralName.dNSName, host));
            }
        } catch (IOException unknown) {
            // no host name: localhost and 127.0.0.1 only
        }
        return names.toArray(new GeneralName[0]);
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 keys on this JVM: " + e.getMessage(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END " + type + "-----\n";
    }
}
