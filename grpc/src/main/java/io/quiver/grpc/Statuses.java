package io.quiver.grpc;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Status;
import io.quiver.protocol.ResponseCode;

/** gRPC answers carry a {@link Status} in their body; this maps the broker's remoting outcomes onto its codes. */
final class Statuses {
    static final Status OK = of(Code.OK, "OK");

    private Statuses() {}

    static Status of(Code code, String message) {
        return Status.newBuilder().setCode(code).setMessage(message == null ? "" : message).build();
    }

    /** The code a remoting response code of a send becomes. */
    static Code ofSend(int responseCode) {
        return switch (responseCode) {
            case ResponseCode.SUCCESS -> Code.OK;
            case ResponseCode.FLUSH_DISK_TIMEOUT -> Code.MASTER_PERSISTENCE_TIMEOUT;
            case ResponseCode.FLUSH_SLAVE_TIMEOUT -> Code.SLAVE_PERSISTENCE_TIMEOUT;
            case ResponseCode.SLAVE_NOT_AVAILABLE -> Code.HA_NOT_AVAILABLE;
            default -> of(responseCode);
        };
    }

    /** The code any other remoting response code becomes. */
    static Code of(int responseCode) {
        return switch (responseCode) {
            case ResponseCode.SUCCESS -> Code.OK;
            case ResponseCode.SYSTEM_BUSY, ResponseCode.POLLING_FULL -> Code.TOO_MANY_REQUESTS;
            case ResponseCode.REQUEST_CODE_NOT_SUPPORTED -> Code.NOT_IMPLEMENTED;
            case ResponseCode.TOPIC_NOT_EXIST -> Code.TOPIC_NOT_FOUND;
            case ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST -> Code.CONSUMER_GROUP_NOT_FOUND;
            case ResponseCode.NO_PERMISSION -> Code.FORBIDDEN;
            case ResponseCode.MESSAGE_ILLEGAL -> Code.BAD_REQUEST;
            case ResponseCode.SUBSCRIPTION_PARSE_FAILED -> Code.ILLEGAL_FILTER_EXPRESSION;
            case ResponseCode.PULL_NOT_FOUND, ResponseCode.POLLING_TIMEOUT, ResponseCode.NO_MESSAGE -> Code.MESSAGE_NOT_FOUND;
            default -> Code.INTERNAL_SERVER_ERROR;
        };
    }

    /** A status for a remoting response: its mapped code and the broker's remark. */
    static Status ofResponse(io.quiver.protocol.RemotingCommand resp) {
        return of(of(resp.code()), resp.remark() == null ? "" : resp.remark());
    }

    /** The status of a call that failed before the broker answered (timeout, closed connection). */
    static Status ofFailure(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof java.util.concurrent.TimeoutException) {
            return of(Code.PROXY_TIMEOUT, "the broker did not answer in time");
        }
        return of(Code.INTERNAL_SERVER_ERROR, "the broker could not be reached: " + c.getMessage());
    }
}
