package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.it.FrameDraft.Target;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: a seeded mutation fuzzer of remoting frames. Valid requests for every request code the
 * broker and the name server handle ({@link FrameCorpus}, JSON and binary headers) are mutated
 * ({@link FrameMutator}) and sent over several raw sockets to both endpoints. Each frame whose length word
 * matches its bytes is followed by a probe (an unknown code, answered inline), so the test knows the server
 * has read it; a frame with a wrong length is followed by a half-close. First, each template is sent once
 * unmutated to check that it is answered as a well-formed request.
 *
 * <p>What it proves: every connection is answered or closed within a bounded time (no hang); every answer
 * is a well-formed frame; no request ends in a handler exception (neither an "internal error" answer nor an
 * ERROR line or a Quiver stack frame in the server's log); the official producer still gets SEND_OK and the
 * name server still routes every {@value #CHECK_EVERY} frames; canary messages stored first still read back
 * identical; broker metadata stays within its configured limits; and once the fuzz connections close, the
 * fake brokers, client registrations and parked pulls they created are gone. It prints the child's RSS and
 * its live heap by class (jcmd) before and after, to show what, if anything, the run left behind.
 *
 * <p>{@code -Dfuzz.frames=N} (default 50 000), {@code -Dfuzz.seed=S} reproduces the frame sequence of a
 * run (the seed is printed at the start and in any failure), {@code -Dfuzz.workers=W} (default 4; with 1
 * the frames also reach the servers in the same order every run). {@link FrameFuzzChaosIT} sends 1 000 000 under {@code -Pchaos}.
 */
@Timeout(600)
class FrameFuzzIT extends QuiverIT {
    static final int MAX_TOPICS = 200;
    static final int MAX_GROUPS = 100;
    static final int MAX_OFFSET_ENTRIES = 1_000;
    static final int CHECK_EVERY = 5_000;
    /** How long the server may take to answer a probe or close a half-closed connection. */
    static final int ANSWER_LIMIT_MILLIS = 10_000;
    static final String REAL_BROKER = "broker-a";

    protected static Map<String, String> brokerConf() {
        return Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024),
            "maxTopicCount", Integer.toString(MAX_TOPICS),
            "maxSubscriptionGroupCount", Integer.toString(MAX_GROUPS),
            "maxConsumerOffsetEntries", Integer.toString(MAX_OFFSET_ENTRIES));
    }

    /** Frames sent when {@code -Dfuzz.frames} is not given. */
    protected long defaultFrames() {
        return 50_000;
    }

    @Test
    void mutatedFramesAreAnsweredOrRefusedAndHarmNothing() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        long frames = Long.getLong("fuzz.frames", defaultFrames());
        int workers = Integer.getInteger("fuzz.workers", 4);
        System.out.printf("frame fuzz: seed %d, %d frames, %d workers (reproduce with -Dfuzz.seed=%d)%n", seed, frames,
            workers, seed);
        try {
            fuzz(seed, frames, workers);
        } catch (Throwable t) {
            System.out.printf("frame fuzz FAILED with seed %d (reproduce with -Dfuzz.seed=%d)%n", seed, seed);
            throw new AssertionError("frame fuzz failed with seed " + seed + " (reproduce with -Dfuzz.seed=" + seed
                + "): " + t.getMessage(), t);
        }
    }

    /** What the fuzz connections saw, summed over workers. */
    static final class Stats {
        final LongAdder frames = new LongAdder();
        final LongAdder unmutated = new LongAdder();
        final LongAdder inconsistentLength = new LongAdder();
        final LongAdder probesAnswered = new LongAdder();
        final LongAdder closedByServer = new LongAdder();
        final LongAdder connects = new LongAdder();
        final LongAdder serverRequests = new LongAdder();
        final LongAdder skippedAsHarmful = new LongAdder();
        final Map<Integer, LongAdder> answersByCode = new ConcurrentHashMap<>();
        final Map<String, LongAdder> closedByTemplate = new ConcurrentHashMap<>();
        /** "internal error" answers by remark: one line per distinct handler failure. */
        final Map<String, LongAdder> internalErrorKinds = new ConcurrentHashMap<>();
        final List<String> hangs = Collections.synchronizedList(new ArrayList<>());
        final List<String> malformedAnswers = Collections.synchronizedList(new ArrayList<>());
        final List<String> internalErrors = Collections.synchronizedList(new ArrayList<>());

        void answer(int code) {
            answersByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
        }

        static void keep(List<String> samples, String s) {
            if (samples.size() < 50) {
                samples.add(s);
            }
        }
    }

    private void fuzz(long seed, long frames, int workerCount) throws Exception {
        DefaultMQProducer producer = producer();
        String canaryTopic = unique("FuzzCanary");
        String healthTopic = unique("FuzzHealth");
        ensureTopic(producer, canaryTopic);
        ensureTopic(producer, healthTopic);
        List<SendResult> canaries = new ArrayList<>();
        List<String> canaryBodies = new ArrayList<>();
        List<Long> canaryOffsets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String body = "canary-" + i + "-" + seed;
            SendResult r = producer.send(new Message(canaryTopic, "canary", "ck" + i, body.getBytes(StandardCharsets.UTF_8)));
            assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
            canaries.add(r);
            canaryBodies.add(body);
            canaryOffsets.add(Long.parseUnsignedLong(r.getOffsetMsgId().substring(16), 16));
        }

        FrameCorpus corpus = new FrameCorpus(canaryOffsets);
        List<Integer> codes = new ArrayList<>(corpus.codes(Target.BROKER));
        corpus.codes(Target.NAMESRV).forEach(c -> {
            if (!codes.contains(c)) {
                codes.add(c);
            }
        });
        everyTemplateIsAWellFormedRequest(corpus, new Random(seed));
        FrameMutator mutator = new FrameMutator(codes);
        Stats stats = new Stats();
        int namesrvPort = Integer.parseInt(quiver.namesrvAddr().substring(quiver.namesrvAddr().lastIndexOf(':') + 1));
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < workerCount; i++) {
            workers.add(new Worker(new Random(seed * 1_000_003L + i), corpus, mutator, stats, quiver.brokerPort(),
                namesrvPort));
        }

        String memoryBefore = memory(quiver.pid());
        String nativeBefore = jcmd(quiver.pid(), "VM.native_memory summary");
        Map<String, long[]> histogramBefore = histogram(quiver.pid());
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(workerCount);
        try {
            long sent = 0;
            while (sent < frames) {
                long chunk = Math.min(CHECK_EVERY, frames - sent);
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < workerCount; i++) {
                    long share = chunk / workerCount + (i < chunk % workerCount ? 1 : 0);
                    Worker w = workers.get(i);
                    done.add(pool.submit(() -> {
                        w.run(share);
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(10, TimeUnit.MINUTES);
                }
                sent += chunk;
                stillServes(producer, healthTopic, sent);
                if (sent % 100_000 == 0) { // a growth curve, for runs long enough to show one
                    System.out.printf("frame fuzz: after %d frames: %s%n", sent, memory(quiver.pid()));
                }
                assertThat(stats.hangs).as("connections neither answered nor closed within %d ms", ANSWER_LIMIT_MILLIS)
                    .isEmpty();
            }
        } finally {
            pool.shutdownNow();
            workers.forEach(Worker::close);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;

        report(stats, millis);
        String memoryAfter = memory(quiver.pid());
        Map<String, long[]> histogramAfter = histogram(quiver.pid());
        System.out.println("frame fuzz: broker+namesrv process before: " + memoryBefore);
        System.out.println("frame fuzz: broker+namesrv process after:  " + memoryAfter);
        printGrowth(histogramBefore, histogramAfter);
        System.out.println("frame fuzz: heap of the child after the run (RSS also holds direct buffers and mapped files):");
        jcmd(quiver.pid(), "GC.heap_info").lines().forEach(l -> System.out.println("frame fuzz:   " + l));
        String nativeAfter = jcmd(quiver.pid(), "VM.native_memory summary");
        if (nativeAfter.contains("Total:")) { // only when the child runs with JAVA_OPTS=-XX:NativeMemoryTracking=summary
            System.out.println("frame fuzz: native memory before:\n" + nativeBefore + "\nframe fuzz: native memory after:\n"
                + nativeAfter);
        }
        List<String> log = serverLog();
        printServerProblems(log);
        assertThat(stats.frames.sum()).isEqualTo(frames);
        assertThat(stats.malformedAnswers).as("answers that are not well-formed frames").isEmpty();
        assertThat(stats.internalErrors).as("requests that ended in a handler exception").isEmpty();
        logHasNoHandlerFailure(log);
        assertThat(stats.probesAnswered.sum()).as("probes answered").isGreaterThan(frames / 4);

        canariesReadBackIdentical(producer, canaries, canaryBodies);
        metadataWithinLimits();
        fuzzStateGoneWithItsConnections();
        logHasNoHandlerFailure(serverLog());
    }

    // ------------------------------------------------------------------ one worker, its sockets

    /** A raw connection to one endpoint; reads time out, so nothing here waits forever. */
    static final class Conn implements Closeable {
        final Socket socket = new Socket();
        final DataInputStream in;
        final OutputStream out;

        Conn(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(ANSWER_LIMIT_MILLIS);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** Sends its share of frames over its own sockets, one to the broker and one to the name server. */
    static final class Worker {
        private static final AtomicInteger PROBE_OPAQUE = new AtomicInteger(2_000_000_000);
        private final Random random;
        private final FrameCorpus corpus;
        private final FrameMutator mutator;
        private final Stats stats;
        private final int brokerPort;
        private final int namesrvPort;
        private Conn broker;
        private Conn namesrv;

        Worker(Random random, FrameCorpus corpus, FrameMutator mutator, Stats stats, int brokerPort, int namesrvPort) {
            this.random = random;
            this.corpus = corpus;
            this.mutator = mutator;
            this.stats = stats;
            this.brokerPort = brokerPort;
            this.namesrvPort = namesrvPort;
        }

        void run(long frames) throws IOException {
            for (long i = 0; i < frames; i++) {
                FrameCorpus.Template t = corpus.templates().get(random.nextInt(corpus.templates().size()));
                FrameDraft d = t.build().apply(random);
                d.opaque = random.nextInt(1_000_000);
                byte[] frame = mutate(d);
                sendOne(t.name(), d.target, frame);
                stats.frames.increment();
            }
        }

        private byte[] mutate(FrameDraft d) {
            if (random.nextInt(20) == 0) {
                stats.unmutated.increment();
                return d.encode();
            }
            byte[] original = d.encode();
            for (int attempt = 0; attempt < 5; attempt++) {
                int mode = random.nextInt(10); // 6 in 10 structural only, 2 both, 2 bytes only
                if (mode < 8) {
                    mutator.mutateDraft(d, random);
                }
                byte[] f = d.encode();
                if (mode >= 6) {
                    f = mutator.mutateBytes(f, random);
                }
                if (!FrameMutator.mayBeDrain(f) && !mayHarmHealth(f)) {
                    return f;
                }
                stats.skippedAsHarmful.increment();
            }
            return original;
        }

        /** Live settings whose change would stop the health checks from meaning anything; never sent. */
        private static boolean mayHarmHealth(byte[] f) {
            String s = new String(f, StandardCharsets.ISO_8859_1);
            for (String key : new String[] {"brokerPermission", "autoCreateSubscriptionGroup", "longPollingEnable",
                "channelExpiredTimeout", "enablePropertyFilter", "shortPollingTimeMills", "drain", REAL_BROKER}) {
                if (s.contains(key)) {
                    return true;
                }
            }
            return false;
        }

        private Conn conn(Target target) throws IOException {
            Conn c = target == Target.BROKER ? broker : namesrv;
            if (c == null) {
                IOException last = null;
                for (int attempt = 0; attempt < 20 && c == null; attempt++) {
                    try {
                        c = new Conn(target == Target.BROKER ? brokerPort : namesrvPort);
                    } catch (IOException e) {
                        last = e;
                        sleep(100);
                    }
                }
                if (c == null) {
                    throw new IOException("the " + target + " no longer accepts connections", last);
                }
                stats.connects.increment();
                if (target == Target.BROKER) {
                    broker = c;
                } else {
                    namesrv = c;
                }
            }
            return c;
        }

        private void drop(Target target) {
            Conn c = target == Target.BROKER ? broker : namesrv;
            if (c != null) {
                c.close();
            }
            if (target == Target.BROKER) {
                broker = null;
            } else {
                namesrv = null;
            }
        }

        private void sendOne(String template, Target target, byte[] frame) throws IOException {
            Conn c = conn(target);
            boolean consistent = frame.length >= 8 && ByteBuffer.wrap(frame).getInt(0) == frame.length - 4;
            try {
                c.out.write(frame);
                c.out.flush();
            } catch (IOException e) {
                closed(template, target);
                return;
            }
            if (!consistent) {
                // The server cannot tell where this frame ends: say we are done and expect it to close.
                stats.inconsistentLength.increment();
                try {
                    c.socket.shutdownOutput();
                    readUntil(c, -1);
                } catch (SocketTimeoutException e) {
                    Stats.keep(stats.hangs, template + " to " + target + " (wrong length, half-closed): not closed");
                } catch (IOException e) {
                    // closed: what we expect
                }
                drop(target);
                return;
            }
            int probe = PROBE_OPAQUE.incrementAndGet();
            try {
                RemotingCommand p = RemotingCommand.createRequestCommand(FrameCorpus.PROBE_CODE, null);
                p.setOpaque(probe);
                ByteBuffer b = p.encode();
                c.out.write(b.array(), b.position(), b.remaining());
                c.out.flush();
                readUntil(c, probe);
                stats.probesAnswered.increment();
            } catch (SocketTimeoutException e) {
                Stats.keep(stats.hangs, template + " to " + target + ": the probe after it was not answered");
                drop(target);
            } catch (IOException e) {
                closed(template, target);
            }
        }

        private void closed(String template, Target target) {
            stats.closedByServer.increment();
            stats.closedByTemplate.computeIfAbsent(template, k -> new LongAdder()).increment();
            drop(target);
        }

        /** Reads frames until the response with opaque {@code probe} (or, with -1, until the server closes). */
        private void readUntil(Conn c, int probe) throws IOException {
            while (true) {
                int length = c.in.readInt(); // EOFException when the server closed
                if (length < 4 || length > 16 * 1024 * 1024) {
                    Stats.keep(stats.malformedAnswers, "an answer frame of declared length " + length);
                    throw new EOFException("unusable answer");
                }
                byte[] bytes = new byte[length];
                c.in.readFully(bytes);
                RemotingCommand cmd;
                try {
                    cmd = RemotingCommand.decode(ByteBuffer.wrap(bytes));
                } catch (Exception e) {
                    Stats.keep(stats.malformedAnswers, "an answer the official client cannot decode: " + e);
                    continue;
                }
                if (!cmd.isResponseType()) {
                    stats.serverRequests.increment(); // e.g. NOTIFY_CONSUMER_IDS_CHANGED, or a relayed admin call
                    if (!cmd.isOnewayRPC()) {
                        RemotingCommand reply = RemotingCommand.createResponseCommand(3, "the fuzzer answers nothing");
                        reply.setOpaque(cmd.getOpaque());
                        ByteBuffer b = reply.encode();
                        c.out.write(b.array(), b.position(), b.remaining());
                    }
                    continue;
                }
                if (probe != -1 && cmd.getOpaque() == probe) {
                    if (cmd.getCode() != 3) {
                        Stats.keep(stats.malformedAnswers, "the probe got code " + cmd.getCode() + ": " + cmd.getRemark());
                    }
                    return;
                }
                stats.answer(cmd.getCode());
                if (cmd.getRemark() != null && cmd.getRemark().startsWith("internal error")) {
                    Stats.keep(stats.internalErrors, cmd.getRemark());
                    String kind = cmd.getRemark().substring(0, Math.min(300, cmd.getRemark().length()));
                    stats.internalErrorKinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
                }
            }
        }

        void close() {
            drop(Target.BROKER);
            drop(Target.NAMESRV);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ checks

    /**
     * The corpus is what it claims: each template, unmutated, as a two-way request in both serializations, is
     * answered without a complaint about its framing or header (a missing or malformed field, an unknown code).
     * Otherwise the fuzzer would only mutate requests that never reach a handler's logic.
     */
    private static void everyTemplateIsAWellFormedRequest(FrameCorpus corpus, Random random) throws Exception {
        Map<String, String> answers = new TreeMap<>();
        List<String> malformed = new ArrayList<>();
        String addr = quiver.namesrvAddr();
        int namesrvPort = Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
        int opaque = 1;
        for (FrameCorpus.Template t : corpus.templates()) {
            for (boolean binary : new boolean[] {false, true}) {
                FrameDraft d = t.build().apply(random);
                d.binary = binary;
                d.flag = 0;
                d.opaque = opaque++;
                RemotingCommand answer = exchange(t.target() == Target.BROKER ? quiver.brokerPort() : namesrvPort, d);
                String remark = String.valueOf(answer.getRemark());
                answers.put(t.name() + (binary ? "/binary" : "/json"), answer.getCode() + (answer.getCode() == 0 ? ""
                    : " " + remark.substring(0, Math.min(60, remark.length()))));
                boolean unknownCode = answer.getCode() == 3;
                boolean badHeader = remark.contains("is missing") || remark.contains("must be") || remark.contains("is not");
                if (badHeader || (unknownCode != t.name().startsWith("UNKNOWN"))) {
                    malformed.add(t.name() + (binary ? " (binary)" : " (JSON)") + ": " + answer.getCode() + " " + remark);
                }
            }
        }
        answers.forEach((k, v) -> System.out.printf("frame fuzz: corpus %-45s -> %s%n", k, v));
        assertThat(malformed).as("corpus requests refused for their form").isEmpty();
    }

    /** Sends one draft as-is on a new connection and returns the answer with its opaque. */
    private static RemotingCommand exchange(int port, FrameDraft d) throws Exception {
        try (Conn c = new Conn(port)) {
            c.out.write(d.encode());
            c.out.flush();
            while (true) {
                byte[] frame = new byte[c.in.readInt()];
                c.in.readFully(frame);
                RemotingCommand cmd = RemotingCommand.decode(ByteBuffer.wrap(frame));
                if (cmd.isResponseType() && cmd.getOpaque() == d.opaque) {
                    return cmd;
                }
            }
        }
    }

    /** The official producer still stores, and the name server still routes to the real broker. */
    private void stillServes(DefaultMQProducer producer, String healthTopic, long sent) throws Exception {
        SendResult r = producer.send(new Message(healthTopic, ("health-after-" + sent).getBytes(StandardCharsets.UTF_8)));
        assertThat(r.getSendStatus()).as("a send after %d fuzz frames", sent).isEqualTo(SendStatus.SEND_OK);
        RemotingCommand req = RemotingCommand.createRequestCommand(105, null);
        req.addExtField("topic", healthTopic);
        RemotingCommand route = callNamesrv(req);
        assertThat(route.getCode()).as("route of %s after %d fuzz frames: %s", healthTopic, sent, route.getRemark())
            .isEqualTo(0);
        assertThat(new String(route.getBody(), StandardCharsets.UTF_8)).contains(quiver.brokerAddr());
    }

    private static RemotingCommand callNamesrv(RemotingCommand req) throws Exception {
        String addr = quiver.namesrvAddr();
        try (Socket s = new Socket("127.0.0.1", Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1)))) {
            s.setSoTimeout(10_000);
            ByteBuffer b = req.encode();
            s.getOutputStream().write(b.array(), b.position(), b.remaining());
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            return RemotingCommand.decode(ByteBuffer.wrap(frame));
        }
    }

    private void canariesReadBackIdentical(DefaultMQProducer producer, List<SendResult> canaries, List<String> bodies)
        throws Exception {
        for (int i = 0; i < canaries.size(); i++) {
            @SuppressWarnings("deprecation")
            MessageExt m = producer.viewMessage(canaries.get(i).getOffsetMsgId());
            assertThat(body(m)).as("canary %d", i).isEqualTo(bodies.get(i));
            assertThat(m.getMsgId()).as("canary %d id", i).isEqualTo(canaries.get(i).getMsgId());
            assertThat(m.getKeys()).isEqualTo("ck" + i);
        }
    }

    private static JsonNode jsonBody(RemotingCommand resp) throws IOException {
        return FrameDraft.JSON.readTree(resp.getBody());
    }

    private void metadataWithinLimits() throws Exception {
        RemotingCommand topics = call(RemotingCommand.createRequestCommand(21, null));
        assertThat(topics.getCode()).isEqualTo(0);
        int topicCount = jsonBody(topics).path("topicConfigTable").size();
        RemotingCommand groups = call(RemotingCommand.createRequestCommand(201, null));
        assertThat(groups.getCode()).isEqualTo(0);
        int groupCount = jsonBody(groups).path("subscriptionGroupTable").size();
        System.out.printf("frame fuzz: broker holds %d topics and %d groups (limits %d ordinary topics + %d retry/DLQ, "
            + "%d groups)%n", topicCount, groupCount, MAX_TOPICS, 2 * MAX_GROUPS, MAX_GROUPS);
        assertThat(topicCount).as("topics").isLessThanOrEqualTo(MAX_TOPICS + 2 * MAX_GROUPS);
        assertThat(groupCount).as("groups").isLessThanOrEqualTo(MAX_GROUPS);
    }

    /** Once every fuzz connection has closed, what those connections registered has gone with them. */
    private void fuzzStateGoneWithItsConnections() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            RemotingCommand ci = callNamesrv(RemotingCommand.createRequestCommand(106, null));
            assertThat(ci.getCode()).isEqualTo(0);
            List<String> names = new ArrayList<>();
            jsonBody(ci).path("brokerAddrTable").fieldNames().forEachRemaining(names::add);
            assertThat(names).as("brokers known to the name server").containsExactly(REAL_BROKER);
            RemotingCommand topics = callNamesrv(RemotingCommand.createRequestCommand(206, null));
            assertThat(jsonBody(topics).path("topicList").size()).as("topics known to the name server")
                .isLessThanOrEqualTo(MAX_TOPICS + 2 * MAX_GROUPS);
            Map<String, String> runtime = runtimeInfo();
            assertThat(Integer.parseInt(runtime.get("clientConnections"))).as("client connections registered")
                .isLessThanOrEqualTo(1);
            assertThat(Integer.parseInt(runtime.get("pullParkedCount"))).as("parked pulls").isZero();
        });
    }

    private static Map<String, String> runtimeInfo() throws Exception {
        RemotingCommand resp = call(RemotingCommand.createRequestCommand(28, null));
        Map<String, String> m = new TreeMap<>();
        jsonBody(resp).path("table").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /**
     * How the remoting server logs a handler that threw (Dispatcher): "ERROR [thread] Dispatcher - broker: handler
     * for request code 34 failed", followed by the stack trace.
     */
    static final Pattern HANDLER_FAILURE = Pattern.compile(
        "\\bERROR\\s+\\[[^\\]]*\\] Dispatcher - (broker|namesrv): handler for request code (-?\\d+) failed");
    /** Any ERROR line of the console pattern ("HH:mm:ss.SSS ERROR [thread] Logger - message"). */
    static final Pattern ERROR_LINE = Pattern.compile("^\\d{2}:\\d{2}:\\d{2}\\.\\d{3} ERROR ");
    /** A stack frame of Quiver code, printed under an exception. */
    static final Pattern QUIVER_STACK_FRAME = Pattern.compile("^\\s+at io\\.quiver\\.");

    /** Everything the child printed (broker and name server share one process and one console). */
    private static List<String> serverLog() throws IOException {
        Path file = quiver.dataDir().resolve("quiver.out");
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : quiver.output();
    }

    /** Prints ERROR lines (with the stack trace under them) and their dropped-repeat notices, at most 300 lines. */
    private static void printServerProblems(List<String> lines) {
        int printed = 0;
        for (int i = 0; i < lines.size() && printed < 300; i++) {
            String line = lines.get(i);
            if (ERROR_LINE.matcher(line).find() || line.contains("more lines like the next one were dropped")) {
                System.out.println("server: " + line);
                printed++;
                for (int j = i + 1; j < lines.size() && j < i + 14 && !lines.get(j).matches("^\\d{2}:\\d{2}.*"); j++) {
                    System.out.println("server: " + lines.get(j));
                    printed++;
                }
            }
        }
    }

    private void logHasNoHandlerFailure(List<String> lines) {
        List<String> handlerFailures = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<String> stackFrames = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m = HANDLER_FAILURE.matcher(line);
            if (m.find()) {
                handlerFailures.add(line + (i + 1 < lines.size() ? " / " + lines.get(i + 1) : ""));
            } else if (ERROR_LINE.matcher(line).find()) {
                errors.add(line);
            } else if (QUIVER_STACK_FRAME.matcher(line).find() && stackFrames.size() < 20) {
                stackFrames.add(line);
            }
        }
        assertThat(handlerFailures).as("handler failures in the server log").isEmpty();
        assertThat(errors).as("ERROR lines in the server log").isEmpty();
        assertThat(stackFrames).as("Quiver stack frames in the server log").isEmpty();
    }

    private static void report(Stats s, long millis) {
        Map<Integer, Long> answers = new TreeMap<>();
        s.answersByCode.forEach((k, v) -> answers.put(k, v.sum()));
        Map<String, Long> closes = new TreeMap<>();
        s.closedByTemplate.forEach((k, v) -> closes.put(k, v.sum()));
        System.out.printf("frame fuzz: %d frames in %d ms (%d unmutated, %d with a wrong length word, %d re-mutated as "
                + "harmful), %d probes answered, %d connections opened, %d closed by the server, %d server requests%n",
            s.frames.sum(), millis, s.unmutated.sum(), s.inconsistentLength.sum(), s.skippedAsHarmful.sum(),
            s.probesAnswered.sum(), s.connects.sum(), s.closedByServer.sum(), s.serverRequests.sum());
        System.out.println("frame fuzz: answers by response code " + answers);
        System.out.println("frame fuzz: connections closed after a frame, by template " + closes);
        s.internalErrorKinds.forEach((k, v) -> System.out.printf("frame fuzz: %d x %s%n", v.sum(), k));
    }

    // ------------------------------------------------------------------ memory

    /**
     * The child's resident memory from /proc: VmRSS, split into anonymous memory (heap, metaspace, direct
     * buffers, stacks) and file-backed pages (the store's mapped segments).
     */
    static String memory(long pid) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            String[] kv = line.split(":\\s+", 2);
            if (kv.length == 2 && (kv[0].equals("VmRSS") || kv[0].equals("RssAnon") || kv[0].equals("RssFile"))) {
                m.put(kv[0], kv[1].trim());
            }
        }
        return "VmRSS " + m.get("VmRSS") + " (RssAnon " + m.get("RssAnon") + ", RssFile " + m.get("RssFile") + ")";
    }

    /** Live objects per class (instances, bytes) after a full GC, from jcmd; empty if jcmd is unavailable. */
    static Map<String, long[]> histogram(long pid) {
        Map<String, long[]> m = new TreeMap<>();
        Pattern row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
        for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
            Matcher r = row.matcher(line);
            if (r.find()) {
                m.put(r.group(3), new long[] {Long.parseLong(r.group(1)), Long.parseLong(r.group(2))});
            }
        }
        return m;
    }

    /** The output of a jcmd diagnostic command on the child (from this JDK), or a line saying why there is none. */
    static String jcmd(long pid, String command) {
        try {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "no " + command + ": " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no " + command + ": interrupted";
        }
    }

    private static void printGrowth(Map<String, long[]> before, Map<String, long[]> after) {
        long totalBefore = before.values().stream().mapToLong(v -> v[1]).sum();
        long totalAfter = after.values().stream().mapToLong(v -> v[1]).sum();
        System.out.printf("frame fuzz: live heap after full GC %d KiB before, %d KiB after%n", totalBefore / 1024,
            totalAfter / 1024);
        List<Map.Entry<String, long[]>> grown = new ArrayList<>(after.entrySet());
        grown.sort((a, b) -> Long.compare(b.getValue()[1] - before.getOrDefault(b.getKey(), new long[2])[1],
            a.getValue()[1] - before.getOrDefault(a.getKey(), new long[2])[1]));
        for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(15, grown.size()))) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            System.out.printf("frame fuzz:   %-70s %+8d instances %+10d bytes%n", e.getKey(), e.getValue()[0] - b[0],
                e.getValue()[1] - b[1]);
        }
    }
}
