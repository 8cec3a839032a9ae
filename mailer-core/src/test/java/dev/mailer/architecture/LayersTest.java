package dev.mailer.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine's shape (docs/ARCHITECTURE.md), checked on its compiled classes. */
class LayersTest {
    private static JavaClasses engine;

    @BeforeAll
    static void importEngine() {
        engine = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.mailer");
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        // every package its own slice: store.embedded and feedback.http are checked too
        slices().matching("dev.mailer.(**)").should().beFreeOfCycles().check(engine);
    }

    @Test
    void onlyTheStoreTalksJdbc() {
        noClasses().that().resideOutsideOfPackage("dev.mailer.store..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..")
                .because("stages declare the interfaces they need and the store implements them")
                .check(engine);
    }

    @Test
    void stagesDoNotReachIntoTheStore() {
        noClasses().that().resideOutsideOfPackages("dev.mailer.store..", "dev.mailer.engine..")
                .should().dependOnClassesThat().resideInAPackage("dev.mailer.store..")
                .because("only the engine wires stages to their store; the CLI goes through it")
                .check(engine);
    }

    @Test
    void theEngineHoldsNoDemoOrBenchmark() {
        noClasses().should().resideInAnyPackage("dev.mailer.demo..", "dev.mailer.bench..")
                .because("the demo and the benchmarks belong to the command line")
                .check(engine);
    }
}
