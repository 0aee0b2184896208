package io.quiver.broker.handler;

import static io.quiver.broker.testing.HandlerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.testing.HandlerHarness;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: BrokerConfigUpdateHandler applies live settings at once and persists them in the overrides
 * file (re-registering only when the permission changed), and refuses the whole request when a key is not
 * live (NO_PERMISSION listing the live keys), unknown, missing or badly valued (SYSTEM_ERROR).
 */
@Timeout(10)
class BrokerConfigUpdateHandlerTest {
    @TempDir
    Path dir;
    final HandlerHarness h = new HandlerHarness();
    final BrokerConfig config = new BrokerConfig();
    final AtomicInteger registrations = new AtomicInteger();
    BrokerConfigUpdateHandler handler;

    @BeforeEach
    void setUp() {
        config.storePathRootDir = dir;
        handler = new BrokerConfigUpdateHandler(config, registrations::incrementAndGet);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    RemotingCommand update(String body) {
        RemotingCommand req = request(RequestCode.UPDATE_BROKER_CONFIG);
        if (body != null) {
            req.body(body.getBytes(StandardCharsets.UTF_8));
        }
        return h.call(handler, req);
    }

    @Test
    void aLiveSettingChangesAtOnceIsPersistedAndAPermissionChangeReRegisters() throws Exception {
        RemotingCommand resp = update("brokerPermission=4\n");

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(config.brokerPermission).isEqualTo(4);
        assertThat(registrations).hasValue(1);
        assertThat(BrokerConfigUpdateHandler.load(dir)).containsEntry("brokerPermission", "4");
    }

    @Test
    void laterChangesAreMergedIntoTheOverridesFile() throws Exception {
        assertThat(update("longPollingEnable=false").code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(update("shortPollingTimeMills = 250").code()).isEqualTo(ResponseCode.SUCCESS);

        assertThat(config.longPollingEnable).isFalse();
        assertThat(config.shortPollingTimeMills).isEqualTo(250);
        assertThat(registrations).as("no permission change, no registration").hasValue(0);
        assertThat(BrokerConfigUpdateHandler.load(dir)).containsEntry("longPollingEnable", "false")
            .containsEntry("shortPollingTimeMills", "250").hasSize(2);
    }

    @Test
    void aNonLiveSettingIsStoredForTheNextStartAndTheLiveOnesApplyNow() throws Exception {
        RemotingCommand resp = update("autoCreateSubscriptionGroup=false\nlistenPort=12345\n");

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.remark()).contains("listenPort applies after a restart", "autoCreateSubscriptionGroup changed now");
        assertThat(config.listenPort).as("the running broker keeps its port").isEqualTo(10911);
        assertThat(config.autoCreateSubscriptionGroup).isFalse();
        assertThat(BrokerConfigUpdateHandler.load(dir)).containsEntry("listenPort", "12345")
            .containsEntry("autoCreateSubscriptionGroup", "false");
        assertThat(registrations).hasValue(0);
    }

    @Test
    void whereTheDataLivesIsNeverChangedAndAValueThatDoesNotParseRefusesAll() throws Exception {
        RemotingCommand where = update("autoCreateSubscriptionGroup=false\nstorePathRootDir=/elsewhere\n");
        assertThat(where.code()).isEqualTo(ResponseCode.NO_PERMISSION);
        assertThat(where.remark()).contains("black list", "storePathRootDir");
        RemotingCommand bad = update("autoCreateSubscriptionGroup=false\nlistenPort=many\n");
        assertThat(bad.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(bad.remark()).contains("listenPort");
        assertThat(config.autoCreateSubscriptionGroup).as("nothing of a refused request is applied").isTrue();
        assertThat(BrokerConfigUpdateHandler.load(dir)).isEmpty();
    }

    @Test
    void aValueHoldingANewlineStaysOneValueInTheStoredFile() throws Exception {
        // the body's "\n" escape is a real newline in the value once Properties.load has read it
        assertThat(update("aclFile=x\\nstorePathRootDir=/elsewhere").code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(BrokerConfigUpdateHandler.load(dir)).containsOnlyKeys("aclFile")
            .containsEntry("aclFile", "x\nstorePathRootDir=/elsewhere");
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("config")
            .resolve(BrokerConfigUpdateHandler.OVERRIDES_FILE))).as("it may hold secrets")
            .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void anUnknownSettingIsRefused() throws Exception {
        RemotingCommand resp = update("noSuchSetting=1");
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("unknown setting 'noSuchSetting'");
        assertThat(BrokerConfigUpdateHandler.load(dir)).isEmpty();
    }

    @Test
    void aRequestNamingNoSettingIsRefused() {
        for (String body : new String[] {null, "", "# only a comment\n"}) {
            RemotingCommand resp = update(body);
            assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
            assertThat(resp.remark()).contains("names no setting");
        }
    }

    @Test
    void aBadValueIsRefusedNamingTheSettingAndNothingIsPersisted() throws Exception {
        RemotingCommand resp = update("longPollingEnable=maybe");
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("longPollingEnable", "maybe");
        assertThat(config.longPollingEnable).isTrue();
        assertThat(BrokerConfigUpdateHandler.load(dir)).isEmpty();
    }

    /**
     * A bad value refuses the whole request and changes nothing: every value is parsed before any is applied,
     * so no setting stays applied behind a SYSTEM_ERROR reply (and unpersisted).
     */
    @Test
    void aBadValueRefusesTheWholeRequestWithoutApplyingItsOtherSettings() throws Exception {
        RemotingCommand resp = update("autoCreateSubscriptionGroup=false\nbrokerPermission=abc\n"
            + "longPollingEnable=false\nrejectTransactionMessage=true\n");

        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("brokerPermission");
        assertThat(BrokerConfigUpdateHandler.load(dir)).as("nothing persisted").isEmpty();
        assertThat(config.autoCreateSubscriptionGroup).as("refused request leaves the running config alone").isTrue();
        assertThat(config.longPollingEnable).isTrue();
        assertThat(config.rejectTransactionMessage).isFalse();
    }

    /** Found by FrameFuzzIT: a malformed unicode escape made Properties.load throw out of the handler. */
    @Test
    void aBodyWithAMalformedUnicodeEscapeIsRefusedAsNotPropertiesText() throws Exception {
        for (String body : new String[] {"longPollingEnable=\\uZZZZ", "a=\\u12"}) {
            RemotingCommand resp = update(body);
            assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
            assertThat(resp.remark()).startsWith("the body is not a properties text (key=value lines): ")
                .contains("\\uxxxx");
        }
        assertThat(config.longPollingEnable).isTrue();
        assertThat(BrokerConfigUpdateHandler.load(dir)).isEmpty();
    }
}
