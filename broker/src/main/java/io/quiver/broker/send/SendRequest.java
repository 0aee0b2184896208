package io.quiver.broker.send;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.header.SendMessageRequestHeader;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageSysFlag;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * One decoded send (SEND_MESSAGE, SEND_MESSAGE_V2, SEND_BATCH_MESSAGE): the typed header, the body, and
 * the header's properties parsed once for every later step. Immutable apart from {@code properties}, which
 * the routing step may consume (it is the request's own copy).
 *
 * @param properties the header's properties (for a batch: the batch-level ones that fill members' gaps)
 * @param bornHost   address bytes of the producer's socket
 */
public record SendRequest(SendMessageRequestHeader header, byte[] body, boolean batch, boolean transactional,
                          Map<String, String> properties, byte[] bornHost, int bornPort) {

    /** Decodes the frame's header and properties; throws ProtocolException for a malformed header. */
    public static SendRequest decode(RemotingCommand req, InetSocketAddress from) {
        SendMessageRequestHeader h = SendMessageRequestHeader.decode(req);
        byte[] body = req.body() == null ? new byte[0] : req.body();
        boolean batch = h.batch() || req.code() == RequestCode.SEND_BATCH_MESSAGE;
        boolean tx = MessageSysFlag.transactionType(h.sysFlag()) == MessageSysFlag.TRANSACTION_PREPARED_TYPE;
        return new SendRequest(h, body, batch, tx, MessageProperties.parse(h.properties()),
            from.getAddress().getAddress(), from.getPort());
    }

    public String topic() {
        return header.topic();
    }

    /** False when the producer asked not to wait for the disk ({@code WAIT=false}). */
    public boolean waitDurable() {
        return !"false".equals(properties.get(MessageProperties.WAIT));
    }
}
