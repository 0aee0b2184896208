package io.quiver.grpc;

/**
 * What the caller of a gRPC call may do, as the broker's access control decided when the call arrived
 * ({@link BrokerView#grpcAccess}); {@link #ALL} without ACL.
 */
@FunctionalInterface
public interface Grant {
    Grant ALL = (resource, need) -> null;

    /** What a call needs of a topic, or of a group (named by its retry topic). */
    enum Need { PUB, SUB, ANY }

    /** Why the caller may not {@code need} {@code resource} (a topic, or a group's retry topic); null when it may. */
    String refusal(String resource, Need need);
}
