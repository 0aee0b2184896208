package io.quiver.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** CPU time, memory and threads of processes, from Linux's /proc (the figures the comparison reports). */
final class ProcStats {
    /** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
    static final long TICKS_PER_SECOND = 100;

    private ProcStats() {}

    /** User plus system CPU time of the processes, in nanoseconds. */
    static long cpuNanos(List<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                // Fields after the command name (which may contain spaces) start after the last ')'.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            } catch (IOException | RuntimeException e) {
                // the process has gone
            }
        }
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /** A /proc/<pid>/status value in kB (VmRSS, VmHWM) or a count (Threads), summed over the processes. */
    static long status(List<Long> pids, String key) {
        long sum = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith(key + ":")) {
                        sum += Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the process has gone
            }
        }
        return sum;
    }
}
