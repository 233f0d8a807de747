package dev.flotilla;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layering of architecture.md, kept by the build (style.md rule 1 and "import-control"). */
class ArchitectureTest {
    private static final Pattern SQL = Pattern.compile("\\b(SELECT\\s+.+\\s+FROM|INSERT\\s+INTO|UPDATE\\s+\\w+\\s+SET"
            + "|DELETE\\s+FROM)\\b", Pattern.CASE_INSENSITIVE);
    private static JavaClasses main;

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.flotilla");
    }

    @Test
    void theDomainIsPureJava() {
        noClasses().that().resideInAPackage("dev.flotilla.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "java.sql..",
                        "javax.sql..", "org.flywaydb..", "org.postgresql..")
                .orShould().dependOnClassesThat().resideInAnyPackage("dev.flotilla.store..", "dev.flotilla.engine..",
                        "dev.flotilla.api..", "dev.flotilla.poller..", "dev.flotilla.autoscaler..",
                        "dev.flotilla.cloud..", "dev.flotilla.config..", "dev.flotilla.bus..", "dev.flotilla.cli..")
                .check(main);
    }

    @Test
    void theStoreKnowsNoVerticleAndNoCloud() {
        noClasses().that().resideInAPackage("dev.flotilla.store..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.flotilla.api..", "dev.flotilla.engine..",
                        "dev.flotilla.cloud..", "dev.flotilla.poller..", "dev.flotilla.autoscaler..",
                        "dev.flotilla.bus..")
                .check(main);
    }

    @Test
    void theApiUsesOnlyTheSimulatorsFacade() {
        noClasses().that().resideInAPackage("dev.flotilla.api..")
                .should().dependOnClassesThat().resideInAPackage("dev.flotilla.cloud.sim..")
                .check(main);
    }

    @Test
    void theCliTalksOnlyHttp() {
        noClasses().that().resideInAPackage("dev.flotilla.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.flotilla.store..", "dev.flotilla.engine..",
                        "dev.flotilla.api..", "io.vertx..")
                .check(main);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.flotilla.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void sqlLivesOnlyInTheStoreAndTheSimulatorsRepository() {
        List<Path> offenders = sources().filter(p -> !p.startsWith(Path.of("src/main/java/dev/flotilla/store"))
                        && !p.endsWith(Path.of("cloud/sim/SimulatorRepository.java")))
                .filter(p -> SQL.matcher(read(p)).find()).toList();
        assertEquals(List.of(), offenders);
    }

    @Test
    void theSqlCheckCatchesAnOffender() {
        assertTrue(SQL.matcher("String q = \"SELECT id FROM services\";").find());
        assertFalse(SQL.matcher("the selected VMs, from now on").find());
    }

    private static Stream<Path> sources() {
        try {
            return Files.walk(Path.of("src/main/java/dev/flotilla")).filter(p -> p.toString().endsWith(".java"))
                    .toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
