package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.testkit.FreePorts;
import io.quiver.testkit.QuiverProcess;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Integration tier: the built-in console in a real browser (Debian's chromium, headless, through its chromedriver)
 * against a standalone holding data made by the official 4.9.8 clients: each page shows the right numbers, a search
 * finds a message, its trace shows its delivery, and an offset reset by an admin account takes effect. Screenshots go
 * to target/console-screenshots. Its API is checked with bad input too. Skipped outside CI when chromium is missing.
 */
@Timeout(300)
class ConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOPIC = "ConsoleOrders";
    private static final String GROUP = "console-billing";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SHOTS = Path.of("target", "console-screenshots");

    private static QuiverProcess quiver;
    private static int consolePort;
    private static DefaultMQProducer producer;
    private static SendResult seventh;
    private static long firstStored;
    private static WebDriver browser;

    @BeforeAll
    static void startWithData() throws Exception {
        boolean ci = System.getenv("CI") != null;
        Assumptions.assumeTrue(ci || Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
            "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        Path data = Files.createTempDirectory("quiver-console-");
        Path acl = data.resolve("accounts.yml");
        Files.writeString(acl, "accounts:\n  - accessKey: console-admin\n    secretKey: console-secret-1\n    admin: true\n"
            + "  - accessKey: console-reader\n    secretKey: console-secret-2\n    admin: false\n");
        consolePort = FreePorts.next();
        // ACL stays off for the clients; the console's users sign in with the admin accounts of this file
        quiver = new QuiverProcess(data, Map.of("consolePort", Integer.toString(consolePort), "aclFile", acl.toString()))
            .start();

        producer = new DefaultMQProducer("console-producer");
        producer.setNamesrvAddr(quiver.namesrvAddr());
        producer.setSendMsgTimeout(10_000);
        producer.start();
        producer.send(new Message(TOPIC, "seed", "seed".getBytes())); // creates the topic (4 queues)
        await().atMost(Duration.ofSeconds(20)).until(() -> producer.fetchPublishMessageQueues(TOPIC).size() == 4);
        firstStored = System.currentTimeMillis() - 60_000;
        for (int i = 1; i <= 29; i++) {
            SendResult r = producer.send(new Message(TOPIC, "TagA", "order-" + i,
                ("{\"order\":" + i + ",\"amount\":" + (i * 10) + "}").getBytes()));
            if (i == 7) {
                seventh = r;
            }
        }
        AtomicInteger consumed = new AtomicInteger();
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(GROUP);
        consumer.setNamesrvAddr(quiver.namesrvAddr());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(TOPIC, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            consumed.addAndGet(msgs.size());
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> consumed.get() >= 30);
        consumer.shutdown(); // commits its offsets: lag 0
        for (int i = 30; i < 40; i++) {
            producer.send(new Message(TOPIC, "TagB", "later-" + i, ("later " + i).getBytes())); // lag 10
        }

        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
            .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort().build(), options);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (producer != null) {
            producer.shutdown();
        }
        if (quiver != null) {
            quiver.close();
        }
    }

    private static String url(String hash) {
        return "http://127.0.0.1:" + consolePort + "/#" + hash;
    }

    private static WebElement waitFor(String css) {
        return new WebDriverWait(browser, Duration.ofSeconds(30))
            .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    private static void waitForText(String css, String text) {
        new WebDriverWait(browser, Duration.ofSeconds(30))
            .until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
    }

    private static void shot(String name) throws Exception {
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void eachPageShowsTheClustersNumbersASearchAndATraceFindTheMessageAndAnAdminResetTakesEffect() throws Exception {
        browser.get(url("/cluster"));
        WebElement broker = waitFor("#brokers tr[data-broker='broker-a']");
        assertThat(broker.getText()).contains("master").contains("SERVING");
        assertThat(browser.findElement(By.id("broker-count")).getText()).isEqualTo("1");
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("read-only");
        shot("cluster");

        browser.get(url("/topics"));
        WebElement row = waitFor("#topics tr[data-topic='" + TOPIC + "']");
        assertThat(row.findElement(By.cssSelector(".messages")).getText()).isEqualTo("40");
        shot("topics");

        browser.get(url("/group/" + GROUP));
        waitForText("#group-lag", "10");
        assertThat(browser.findElement(By.id("group-clients")).getText()).isEqualTo("0");
        assertThat(Double.parseDouble(browser.findElement(By.id("group-tps")).getText()))
            .as("it consumed 30 messages within the last minute").isPositive();
        assertThat(browser.findElements(By.cssSelector("#group-queues tbody tr")))
            .filteredOn(r -> r.getText().startsWith(TOPIC + " ")).hasSize(4);
        shot("group");

        browser.get(url("/messages"));
        waitFor("#search-topic").sendKeys(TOPIC);
        browser.findElement(By.id("search-key")).sendKeys("order-7");
        browser.findElement(By.id("search-go")).click();
        waitForText("#result-count", "1 message(s)");
        browser.findElement(By.cssSelector("#message-list a")).click();
        waitForText("#m-topic", TOPIC + " / " + seventh.getMessageQueue().getQueueId() + " / " + seventh.getQueueOffset());
        browser.findElement(By.id("tab-json")).click();
        assertThat(browser.findElement(By.id("body-view")).getText()).contains("\"amount\": 70");
        browser.findElement(By.id("tab-hex")).click();
        assertThat(browser.findElement(By.id("body-view")).getText()).startsWith("00000000  7b 22 6f 72 64 65 72 22");
        shot("message");

        browser.findElement(By.id("trace-link")).click();
        waitFor("#timeline li[data-kind='STORED']");
        List<WebElement> delivered = browser.findElements(By.cssSelector("#timeline li[data-kind='DELIVERED']"));
        assertThat(delivered).isNotEmpty();
        assertThat(delivered.get(0).getText()).contains("group " + GROUP);
        shot("trace");

        // a reset without signing in is refused with the reason; an admin account's reset moves the offsets back
        browser.get(url("/group/" + GROUP));
        waitFor("#reset-time");
        setLocalTime("#reset-time", firstStored);
        browser.findElement(By.id("reset-go")).click();
        waitForText("#reset-error", "changes need an admin account");

        WebElement before = browser.findElement(By.id("group-lag"));
        browser.findElement(By.id("signin")).click();
        waitFor("#signin-ak").sendKeys("console-admin");
        browser.findElement(By.id("signin-sk")).sendKeys("console-secret-1");
        browser.findElement(By.id("signin-ok")).click();
        waitForText("#who", "signed in as console-admin");
        // signing in renders the page again: wait until the old one is gone
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.stalenessOf(before));
        waitFor("#reset-time");
        setLocalTime("#reset-time", firstStored);
        browser.findElement(By.id("reset-go")).click();
        waitForText("#notice", "reset to");
        waitForText("#group-lag", "40");
        shot("group-after-reset");
    }

    private static void setLocalTime(String css, long millis) {
        String v = LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.systemDefault())
            .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss"));
        ((JavascriptExecutor) browser).executeScript("document.querySelector(arguments[0]).value = arguments[1];", css, v);
    }

    private static HttpResponse<String> http(String method, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consolePort + path))
            .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30));
        headers.forEach(b::header);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> r) throws Exception {
        JsonNode n = JSON.readTree(r.body());
        return n.path("error").asText();
    }

    @Test
    void theApiAnswersBadInputWithTheReasonAndTouchesNothing() throws Exception {
        HttpResponse<String> r = http("GET", "/api/topic", Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r)).isEqualTo("missing parameter name");

        r = http("GET", "/api/topic?name=" + "x".repeat(300), Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r)).contains("1 to 255 printable characters");

        r = http("GET", "/api/topic?name=NoSuchTopic", Map.of());
        assertThat(r.statusCode()).isEqualTo(404);

        long now = System.currentTimeMillis();
        r = http("GET", "/api/messages?topic=" + TOPIC + "&since=0&until=" + now, Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r)).contains("wider than 7 days");

        r = http("GET", "/api/messages?topic=" + TOPIC + "&since=yesterday", Map.of());
        assertThat(r.statusCode()).isEqualTo(400);

        r = http("GET", "/api/messages?topic=" + TOPIC + "&key=order-3&limit=100000", Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r)).contains("between 1 and 200");

        r = http("GET", "/api/message?id=0A0000010000000000000000DEADBEEF", Map.of());
        assertThat(r.statusCode()).isEqualTo(404);

        r = http("GET", "/api/trace?id=never-sent-anything", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("events")).isEmpty();

        r = http("GET", "/api/no-such-thing", Map.of());
        assertThat(r.statusCode()).isEqualTo(404);

        String reset = "/api/group/reset?name=" + GROUP + "&topic=" + TOPIC + "&time=0";
        r = http("POST", reset, Map.of());
        assertThat(r.statusCode()).as("no page header: refused").isEqualTo(403);
        r = http("POST", reset, Map.of("X-Quiver-Console", "1"));
        assertThat(r.statusCode()).as("no account").isEqualTo(401);
        String reader = java.util.Base64.getEncoder().encodeToString("console-reader:console-secret-2".getBytes());
        r = http("POST", reset, Map.of("X-Quiver-Console", "1", "Authorization", "Basic " + reader));
        assertThat(r.statusCode()).as("not an admin account").isEqualTo(403);
        String wrong = java.util.Base64.getEncoder().encodeToString("console-admin:nope".getBytes());
        r = http("POST", reset, Map.of("X-Quiver-Console", "1", "Authorization", "Basic " + wrong));
        assertThat(r.statusCode()).isEqualTo(401);
        r = http("DELETE", "/api/topics", Map.of());
        assertThat(r.statusCode()).isEqualTo(405);
        r = http("GET", "/../../etc/passwd", Map.of());
        assertThat(r.statusCode()).isEqualTo(404);

        r = http("GET", "/api/topic?name=" + TOPIC, Map.of());
        assertThat(JSON.readTree(r.body()).path("messages").asLong()).as("nothing changed").isEqualTo(40);
    }
}
