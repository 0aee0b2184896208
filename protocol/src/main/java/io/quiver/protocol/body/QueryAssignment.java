package io.quiver.protocol.body;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** QUERY_ASSIGNMENT's bodies (official field names): what a 5.x consumer asks, and the queues it is given. */
public final class QueryAssignment {
    private QueryAssignment() {}

    /** The request body. */
    public static final class Request {
        public String topic;
        public String consumerGroup;
        public String clientId;
        /** The client's allocation strategy: "AVG" or "AVG_BY_CIRCLE". */
        public String strategyName;
        /** "CLUSTERING" or "BROADCASTING". */
        public String messageModel;
    }

    /** One assigned queue and how to read it ("PULL" or "POP"). */
    public static final class Assignment {
        public MessageQueue messageQueue;
        public String mode;
        public Map<String, String> attachments;

        public Assignment() {}

        public Assignment(MessageQueue messageQueue, String mode) {
            this.messageQueue = messageQueue;
            this.mode = mode;
        }
    }

    /** The response body. */
    public static final class Response {
        public List<Assignment> messageQueueAssignments = new ArrayList<>();
    }
}
