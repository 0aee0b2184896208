package io.quiver.protocol;

/**
 * Frames produced by the official rocketmq-remoting 4.9.8 {@code RemotingCommand.encode()} (with the
 * client version left at 0). {@code it/.../GoldenBytesIT} re-creates them from the official classes, so
 * these constants are proven to be official bytes.
 */
final class GoldenFrames {
    private GoldenFrames() {}

    /** GET_ROUTEINFO_BY_TOPIC, opaque 7, remark "r", topic=T, JSON header. */
    static final String JSON_REQ = "0000008a000000867b22636f6465223a3130352c226578744669656c6473223a7b22746f706963223a"
        + "2254227d2c22666c6167223a302c226c616e6775616765223a224a415641222c226f7061717565223a372c2272656d61726b223a22"
        + "72222c2273657269616c697a655479706543757272656e74525043223a224a534f4e222c2276657273696f6e223a307d";
    /** The same request with the ROCKETMQ binary header. */
    static final String BIN_REQ = "00000026010000220069000000000000070000000000000001720000000c0005746f7069630000000154";
    /** SUCCESS response, opaque 42, offset=12345, body "body". */
    static final String JSON_RESP = "000000850000007d7b22636f6465223a302c226578744669656c6473223a7b226f6666736574223a2231"
        + "32333435227d2c22666c6167223a312c226c616e6775616765223a224a415641222c226f7061717565223a34322c227365726961"
        + "6c697a655479706543757272656e74525043223a224a534f4e222c2276657273696f6e223a307d626f6479";
    /** Oneway UPDATE_CONSUMER_OFFSET, opaque 9, consumerGroup=G. */
    static final String JSON_ONEWAY = "00000084000000807b22636f6465223a31352c226578744669656c6473223a7b22636f6e73756d6572"
        + "47726f7570223a2247227d2c22666c6167223a322c226c616e6775616765223a224a415641222c226f7061717565223a392c22736572"
        + "69616c697a655479706543757272656e74525043223a224a534f4e222c2276657273696f6e223a307d";

    static byte[] bytes(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
