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

    public AclFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
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
                rules = AclRules.NONE;
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
            rules = next;
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
