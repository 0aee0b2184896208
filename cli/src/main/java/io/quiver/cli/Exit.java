package io.quiver.cli;

/** What the {@code quiver} command's exit codes mean (listed in every admin command's help). */
final class Exit {
    /** Done. */
    static final int OK = 0;
    /** The cluster could not be reached, or it refused or failed the operation. */
    static final int FAILED = 1;
    /** The command line is wrong (picocli's code for usage errors as well). */
    static final int USAGE = 2;
    /** What was asked for does not exist: no such topic, group, message or broker. */
    static final int NOT_FOUND = 3;

    static final String HELP = "Exit codes: 0 done, 1 the cluster failed or could not be reached, 2 usage error, "
        + "3 not found.";

    private Exit() {}
}
