package io.quiver.broker.support;

import io.quiver.protocol.body.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small JSON progress document of a broker service (transactions, timers), replaced atomically (temp
 * file, rename) so a crash keeps the previous version. A missing or unreadable file reads as the default.
 */
public final class ProgressFile<T> {
    private static final Logger log = LoggerFactory.getLogger(ProgressFile.class);

    private final Path file;
    private final Class<T> type;
    private final Supplier<T> empty;

    public ProgressFile(Path file, Class<T> type, Supplier<T> empty) {
        this.file = file;
        this.type = type;
        this.empty = empty;
    }

    public T read() {
        try {
            if (Files.exists(file)) {
                return Json.mapper().readValue(file.toFile(), type);
            }
        } catch (IOException e) {
            log.error("cannot read {}; starting from the beginning", file, e);
        }
        return empty.get();
    }

    public void write(T progress) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, Json.encode(progress));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.error("cannot write {}", file, e);
        }
    }
}
