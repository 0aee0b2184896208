package io.quiver.cli;

/** An admin command's failure: the message for the person at the terminal, and the exit code. */
final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    Failure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static Failure notFound(String message) {
        return new Failure(Exit.NOT_FOUND, message);
    }

    static Failure noTopic(String topic) {
        return notFound("topic " + topic + " does not exist (quiver topic list shows the topics)");
    }

    /**
     * Runs an admin action, turning failures into a one-line message on stderr and an exit code: a
     * {@link Failure} keeps its own code; an unreachable or refusing cluster is {@link Exit#FAILED}.
     */
    static int run(java.util.concurrent.Callable<Integer> action) {
        try {
            return action.call();
        } catch (Failure f) {
            System.err.println("quiver: " + f.getMessage());
            return f.exitCode;
        } catch (IllegalArgumentException e) {
            System.err.println("quiver: " + e.getMessage());
            return Exit.USAGE;
        } catch (Exception e) {
            System.err.println("quiver: " + e.getMessage());
            return Exit.FAILED;
        }
    }
}
