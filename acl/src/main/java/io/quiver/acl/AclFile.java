package io.quiver.acl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain_acl.yml and the rules read from it. {@link #reloadIfChanged()} reads the file again when its modification
 * time or size changed; a file that cannot be used keeps the rules in force and is logged with the line at fault. A
 * missing file means no account and no white list: every request is refused.
 */
public final class AclFile {
    private static final Logger log = LoggerFactory.getLogger(AclFile.class);
    /** Largest file read (a file of the most accounts with long lists stays far below). */
    public static final long MAX_BYTES = 64L * 1024 * 1024;

    private final Path path;
    private volatile AclRules rules = AclRules.NONE;
    private long seenModified = Long.MIN_VALUE;
    private long seenSize = -1;
    /** Counts the times new rules came into force, and when the last did (RocketMQ's DataVersion of the file). */
    private volatile Version version = new Version(0, System.currentTimeMillis());

    /** How many times the rules changed, and when they last did. */
    public record Version(long counter, long timestamp) {}

    private static final com.fasterxml.jackson.databind.ObjectMapper YAML = new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()
            .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    public AclFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public Version version() {
        return version;
    }

    /**
     * Changes the file as {@code edit} says (an ACL admin request), writes it in place of the old one (a new file
     * moved over it, so a reader never sees half of it) and puts its rules in force at once. The change is refused,
     * and nothing written, when it leaves a file that cannot be used; the exception says why, never a secret.
     */
    public synchronized void edit(AclEdits.Edit edit) throws AclRules.Invalid {
        com.fasterxml.jackson.databind.node.ObjectNode root;
        try {
            byte[] now = Files.exists(path) ? Files.readAllBytes(path) : new byte[0];
            com.fasterxml.jackson.databind.JsonNode tree = now.length == 0 ? null : YAML.readTree(now);
            if (tree == null || tree.isNull() || tree.isMissingNode()) {
                root = YAML.createObjectNode();
            } else if (tree.isObject()) {
                root = (com.fasterxml.jackson.databind.node.ObjectNode) tree;
            } else {
                throw new AclRules.Invalid("the file is not a mapping with globalWhiteRemoteAddresses and accounts");
            }
        } catch (IOException e) {
            throw new AclRules.Invalid("the ACL file cannot be read: " + e.getMessage());
        }
        try {
            edit.apply(root);
        } catch (IllegalArgumentException e) {
            throw new AclRules.Invalid(e.getMessage());
        }
        byte[] next;
        try {
            next = YAML.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new AclRules.Invalid("the changed file cannot be written: " + e.getMessage());
        }
        AclRules parsed = AclRules.parse(next);
        try {
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
            try {
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                    ch.write(java.nio.ByteBuffer.wrap(next));
                    ch.force(true); // on disk before it replaces the file, or a power cut could leave an empty file
                }
                Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp); // after a failure: never leave a copy of the secrets behind
            }
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            seenModified = a.lastModifiedTime().toMillis();
            seenSize = a.size();
        } catch (IOException e) {
            throw new AclRules.Invalid("the ACL file cannot be written: " + e.getMessage());
        }
        inForce(parsed);
        log.info("ACL file {} changed by an admin request: {} accounts, {} white-listed address patterns", path,
            parsed.accounts().size(), parsed.globalWhiteRemoteAddresses().size());
    }

    /** The file as written, as a YAML tree (an empty mapping when there is none or it is empty). */
    public synchronized com.fasterxml.jackson.databind.JsonNode document() throws AclRules.Invalid {
        try {
            byte[] now = Files.exists(path) ? Files.readAllBytes(path) : new byte[0];
            com.fasterxml.jackson.databind.JsonNode tree = now.length == 0 ? null : YAML.readTree(now);
            return tree == null || tree.isNull() || tree.isMissingNode() ? YAML.createObjectNode() : tree;
        } catch (IOException e) {
            throw new AclRules.Invalid("the ACL file cannot be read: " + e.getMessage());
        }
    }

    private void inForce(AclRules next) {
        rules = next;
        version = new Version(version.counter() + 1, System.currentTimeMillis());
    }

    /** The rules in force. */
    public AclRules rules() {
        return rules;
    }

    /**
     * Reads the file if it changed since the last look; returns whether new rules are in force. Called from one
     * thread (the broker's scheduler).
     */
    public synchronized boolean reloadIfChanged() {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            if (seenSize != -2) {
                log.warn("ACL file {} does not exist: no account is known and every request is refused", path);
                seenSize = -2;
                seenModified = Long.MIN_VALUE;
                inForce(AclRules.NONE);
                return true;
            }
            return false;
        } catch (IOException e) {
            log.warn("ACL file {} cannot be read ({}); the rules in force stay", path, e.toString());
            return false;
        }
        long modified = a.lastModifiedTime().toMillis();
        if (modified == seenModified && a.size() == seenSize) {
            return false;
        }
        seenModified = modified;
        seenSize = a.size();
        if (a.size() > MAX_BYTES) {
            log.warn("ACL file {} has {} bytes, more than {}; the rules in force stay", path, a.size(), MAX_BYTES);
            return false;
        }
        try {
            AclRules next = AclRules.parse(Files.readAllBytes(path));
            inForce(next);
            log.info("ACL file {} read: {} accounts, {} white-listed address patterns", path, next.accounts().size(),
                next.globalWhiteRemoteAddresses().size());
            return true;
        } catch (AclRules.Invalid e) {
            log.warn("ACL file {} is not used: {}; the rules in force stay", path, e.getMessage());
        } catch (IOException e) {
            log.warn("ACL file {} cannot be read ({}); the rules in force stay", path, e.toString());
        }
        return false;
    }
}
