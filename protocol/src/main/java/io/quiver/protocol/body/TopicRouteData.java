package io.quiver.protocol.body;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The route of a topic (fact sheet §3.3): which brokers serve it and with how many queues. */
public final class TopicRouteData {
    public String orderTopicConf;
    public List<QueueData> queueDatas = new ArrayList<>();
    public List<BrokerData> brokerDatas = new ArrayList<>();
    public Map<String, List<String>> filterServerTable = new HashMap<>();

    /** One broker's queues of a topic. */
    public static final class QueueData {
        public String brokerName;
        public int readQueueNums;
        public int writeQueueNums;
        public int perm;
        public int topicSysFlag;

        public QueueData() {}

        public QueueData(String brokerName, int readQueueNums, int writeQueueNums, int perm, int topicSysFlag) {
            this.brokerName = brokerName;
            this.readQueueNums = readQueueNums;
            this.writeQueueNums = writeQueueNums;
            this.perm = perm;
            this.topicSysFlag = topicSysFlag;
        }

        public QueueData copy() {
            return new QueueData(brokerName, readQueueNums, writeQueueNums, perm, topicSysFlag);
        }
    }
}
