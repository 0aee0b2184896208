package io.quiver.cli;

import io.quiver.broker.config.BrokerConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Options shared by the commands that run servers, and the loading of a RocketMQ-style broker.conf. */
final class ServerOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "RocketMQ-style broker.conf (key=value); flags override it")
    Path configFile;

    @Option(names = "--host", paramLabel = "IP",
        description = "address to listen on and advertise to clients (default: listen on all, advertise the first non-loopback IPv4)")
    String host;

    /** Reads the config file (if any) into {@code config}, printing a warning per unknown key. */
    BrokerConfig loadBrokerConfig() {
        BrokerConfig config = new BrokerConfig();
        if (configFile != null) {
            Map<String, String> values = readProperties(configFile);
            List<String> warnings = config.apply(values);
            warnings.forEach(w -> System.err.println("warning: " + configFile + ": " + w));
            if (config.aclFile.isEmpty()) {
                config.aclFile = configFile.toAbsolutePath().resolveSibling("plain_acl.yml").toString();
            }
        }
        if (host != null) {
            config.bindAddress = host;
            config.brokerIP1 = host;
        }
        return config;
    }

    static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }
}
