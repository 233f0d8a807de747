package dev.flotilla.domain;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The domain package stays pure: no Vert.x, no SQL, no I/O of its own (style.md, rule 1). */
class DomainPurityTest {
    private static final Path DOMAIN = Path.of("src/main/java/dev/flotilla/domain");
    private static final Pattern FORBIDDEN_IMPORT = Pattern.compile(
            "^import\\s+(static\\s+)?(io\\.vertx|io\\.netty|java\\.sql|javax\\.sql|org\\.flywaydb|org\\.postgresql"
                    + "|dev\\.flotilla\\.(store|engine|api|poller|cloud|config))\\b.*", Pattern.MULTILINE);
    private static final Pattern SQL = Pattern.compile("\\b(SELECT\\s+.+\\s+FROM|INSERT\\s+INTO|UPDATE\\s+\\w+\\s+SET"
            + "|DELETE\\s+FROM)\\b", Pattern.CASE_INSENSITIVE);

    @Test
    void domainImportsNeitherVertxNorSqlNorOuterLayers() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(DOMAIN)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertFalse(sources.isEmpty(), "domain sources found");
        List<String> offenders = sources.stream().filter(p -> {
            String text = read(p);
            return FORBIDDEN_IMPORT.matcher(text).find() || SQL.matcher(text).find();
        }).map(Path::toString).toList();
        assertEquals(List.of(), offenders);
    }

    @Test
    void theCheckCatchesAnOffender() {
        assertFalse(!FORBIDDEN_IMPORT.matcher("import io.vertx.core.Future;").find());
        assertFalse(!SQL.matcher("String q = \"SELECT id FROM services\";").find());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
