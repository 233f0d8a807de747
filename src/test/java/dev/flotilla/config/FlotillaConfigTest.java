package dev.flotilla.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlotillaConfigTest {

    @Test
    void defaultsAreOneFlows() {
        FlotillaConfig c = FlotillaConfig.load(Map.of());
        assertEquals("127.0.0.1", c.host());
        assertEquals(2474, c.port());
        assertEquals("postgresql://postgres@127.0.0.1:5432/flotilla", c.dbUrl());
        assertEquals("simulator", c.driver());
        assertEquals(300, c.defaultCooldown());
        assertEquals(1, c.actionNumber());
        assertEquals(60, c.actionPeriod());
        assertEquals("terminate", c.shutdownAction());
        assertEquals("$ROLE_NAME_$VM_NUMBER_(service_$SERVICE_ID)", c.vmNameTemplate());
        assertEquals(1800, c.transientTimeout().toSeconds());
        assertEquals(2.0, c.simulator().deploySeconds());
        assertEquals("", c.adminPassword());
        assertEquals("text", c.logFormat());
    }

    @Test
    void aOneFlowFileWithColonKeysAndTheEnvironmentOverride(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("oneflow-server.conf");
        Files.writeString(file, ":port: 3000\n:action_number: 4\n:simulator:\n  :deploy_seconds: 0\n");
        FlotillaConfig c = FlotillaConfig.load(Map.of("FLOTILLA_CONFIG", file.toString(), "FLOTILLA_PORT", "4000",
                "FLOTILLA_ADMIN_PASSWORD", "pw", "FLOTILLA_SIM_TERMINATE_SECONDS", "0.5"));
        assertEquals(4000, c.port(), "environment wins over the file");
        assertEquals(4, c.actionNumber());
        assertEquals(0.0, c.simulator().deploySeconds());
        assertEquals(0.5, c.simulator().terminateSeconds());
        assertEquals(0.0, c.simulator().readySeconds(), "untouched keys keep their defaults");
        assertEquals("pw", c.adminPassword());
        assertFalse(c.toString().contains("pw,"), "secrets are not printed");
    }

    @Test
    void badValuesStopTheServerWithAClearMessage(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        FlotillaConfig.ConfigException port = assertThrows(FlotillaConfig.ConfigException.class,
                () -> FlotillaConfig.load(Map.of("FLOTILLA_PORT", "http")));
        assertTrue(port.getMessage().contains(":port must be an integer"));
        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, ":port: [unclosed\n");
        FlotillaConfig.ConfigException parse = assertThrows(FlotillaConfig.ConfigException.class,
                () -> FlotillaConfig.load(Map.of("FLOTILLA_CONFIG", broken.toString())));
        assertTrue(parse.getMessage().startsWith("Error parsing config file " + broken));
    }

    @Test
    void theLogFormatIsTextOrJson(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertEquals("json", FlotillaConfig.load(Map.of("FLOTILLA_LOG_FORMAT", "json")).logFormat());
        Path file = dir.resolve("oneflow-server.conf");
        Files.writeString(file, ":log_format: json\n");
        assertEquals("json", FlotillaConfig.load(Map.of("FLOTILLA_CONFIG", file.toString())).logFormat());
        assertEquals("text", FlotillaConfig.load(Map.of("FLOTILLA_CONFIG", file.toString(), "FLOTILLA_LOG_FORMAT",
                "text")).logFormat(), "the environment wins");
        FlotillaConfig.ConfigException xml = assertThrows(FlotillaConfig.ConfigException.class,
                () -> FlotillaConfig.load(Map.of("FLOTILLA_LOG_FORMAT", "xml")));
        assertEquals(":log_format (FLOTILLA_LOG_FORMAT) must be text or json, got 'xml'", xml.getMessage());
    }
}
