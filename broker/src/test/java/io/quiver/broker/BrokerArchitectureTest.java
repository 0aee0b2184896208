package io.quiver.broker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker module's structure, kept by the build: handlers and the send pipeline never touch Netty
 * (they receive decoded requests), the packages form no cycle, and only the composition root
 * ({@code io.quiver.broker}: Broker and the few parts it wires) sees every package; no package depends
 * on it.
 */
@Timeout(60)
class BrokerArchitectureTest {
    private static JavaClasses broker;

    @BeforeAll
    static void importClasses() {
        broker = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.quiver.broker");
    }

    @Test
    void handlersAndTheSendPipelineDoNotImportNetty() {
        noClasses().that().resideInAnyPackage("io.quiver.broker.handler..", "io.quiver.broker.send..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..")
            .because("handlers receive decoded requests and answer through RequestContext")
            .check(broker);
    }

    @Test
    void theBrokersPackagesFormNoCycle() {
        slices().matching("io.quiver.broker.(*)..").should().beFreeOfCycles().check(broker);
    }

    @Test
    void nothingDependsOnTheCompositionRoot() {
        noClasses().that().resideOutsideOfPackage("io.quiver.broker")
            .should().dependOnClassesThat().resideInAPackage("io.quiver.broker")
            .because("io.quiver.broker wires the parts together; parts get what they need through their constructors")
            .check(broker);
    }
}
