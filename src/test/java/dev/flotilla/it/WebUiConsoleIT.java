package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's console in headless Chromium, as issue 13 asks: a service page and the list that
 * follow the event stream without reloading, validation that mirrors the server's, the list's search,
 * filter, sort, paging and counts, VMs, role details, pending batches with cancel, templates as JSON
 * with their role graph, the autoscaler chart, the state timeline, and the Russian console.
 */
class WebUiConsoleIT {
    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient api;
    private static WebDriver browser;
    private static WebDriverWait wait;

    @RegisterExtension
    static final FailureShots SHOTS = new FailureShots(() -> browser);

    @BeforeAll
    static void start() throws IOException {
        db = TestDatabase.fresh();
        server = TestServer.start(db, Map.of("FLOTILLA_AUTOSCALER_INTERVAL", "1"));
        api = server.api();
        browser = chromium();
        wait = waitFor(browser);
        browser.get(api.baseUrl() + "/");
        signIn();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (db != null) {
            db.close();
        }
    }

    /** Every test starts in English on a page of its own. */
    @BeforeEach
    void english() {
        dismissAnyAlert();
        js("localStorage.setItem('lang', 'en')");
    }

    /** Debian's chromium + chromium-driver, headless, in US English (dates in en-US unless the console is Russian). */
    static WebDriver chromium() throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File("/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--lang=en-US", "--window-size=1400,1000",
                "--user-data-dir=" + Files.createTempDirectory("flotilla-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    static WebDriverWait waitFor(WebDriver browser) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        // Live updates redraw parts of the page while a condition looks at them.
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** What the browser showed when a test failed: target/webui-<Class>-<test>.png and .html. */
    static final class FailureShots implements TestWatcher {
        private final Supplier<WebDriver> browser;

        FailureShots(Supplier<WebDriver> browser) {
            this.browser = browser;
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            WebDriver driver = browser.get();
            if (driver == null) {
                return;
            }
            String name = "webui-" + context.getRequiredTestClass().getSimpleName() + "-"
                    + context.getRequiredTestMethod().getName();
            try {
                try {
                    driver.switchTo().alert().dismiss(); // a screenshot cannot be taken under an open dialog
                } catch (NoAlertPresentException none) {
                    // nothing open
                }
                Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
                Files.createDirectories(Path.of("target"));
                Files.copy(shot, Path.of("target", name + ".png"), StandardCopyOption.REPLACE_EXISTING);
                Files.writeString(Path.of("target", name + ".html"), driver.getPageSource() + "\n<!-- "
                        + driver.getCurrentUrl() + " -->");
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    // ------------------------------------------------------------------ live and correct

    @Test
    void theServicePageFollowsTheStreamWithoutReloading() {
        int template = server.createTemplate("""
                {"name": "live", "roles": [{"name": "db", "type": "vm", "template_id": 0, "cardinality": 1},
                  {"name": "web", "type": "vm", "template_id": 0, "cardinality": 1, "parents": ["db"],
                   "min_vms": 1, "max_vms": 4, "cooldown": 0, "shutdown_action": "terminate-hard"}]}
                """);
        int id = running(template, "live-1");
        open("/#/service/" + id);
        waitText(By.id("info-vms"), "2");
        click(By.cssSelector("[data-tab='roles']"));
        WebElement web = visible(By.cssSelector("fieldset.role[data-role='web']"));
        assertEquals("1", web.findElement(By.cssSelector(".role-card")).getText());
        // Role details: parents, bounds, shutdown action; the graph draws db → web.
        assertEquals(1, browser.findElements(By.cssSelector("#roles svg line.edge[data-from='db'][data-to='web']")).size());
        web.findElement(By.cssSelector("details.role-more summary")).click();
        waitText(By.cssSelector("fieldset.role[data-role='web'] .role-parents"), "db");
        assertEquals("1 / 4", text(By.cssSelector("fieldset.role[data-role='web'] .role-bounds")));
        // VMs with their state as the cloud reports it.
        waitText(By.cssSelector("fieldset.role[data-role='web'] table.vms tbody tr .vm-state"), "ACTIVE");
        assertEquals("RUNNING", text(By.cssSelector("fieldset.role[data-role='web'] table.vms tbody tr .vm-lcm")));
        js("performance.setResourceTimingBufferSize(10000); performance.clearResourceTimings()");
        web.findElement(By.cssSelector("button.run")).click();
        waitText(By.id("error"), "Choose an action first");

        // Scaled behind the page's back: the Roles tab follows, then Info and Log.
        assertEquals(204, api.post("/service/" + id + "/scale", "{\"role_name\": \"web\", \"cardinality\": 3}").status());
        waitText(By.cssSelector("fieldset.role[data-role='web'] .role-card"), "3");
        wait.until(d -> d.findElements(By.cssSelector("fieldset.role[data-role='web'] table.vms tbody tr")).size() == 3);
        waitText(By.cssSelector("#roles svg g.node[data-role='web'] text"), "web ×3");
        wait.until(d -> "RUNNING".equals(d.findElement(By.id("service-state")).getAttribute("data-state")));
        assertEquals(0L, js("return performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname"
                + " === '/service').length"), "the list is never fetched for a service page");
        assertEquals("Choose an action first\n×", text(By.id("error")), "an error stays through live updates");
        click(By.id("dismiss"));
        click(By.cssSelector("[data-tab='info']"));
        waitText(By.id("info-vms"), "4");
        click(By.cssSelector("[data-tab='log']"));
        wait.until(d -> d.findElements(By.cssSelector("#log td")).stream()
                .anyMatch(td -> td.getText().equals("Role web new state: SCALING")));

        // The timeline: each state the service and its roles went through, from the event log.
        click(By.cssSelector("[data-tab='timeline']"));
        List<String> states = visible(By.cssSelector("table.service-timeline")).findElements(By.cssSelector("tbody .state"))
                .stream().map(e -> e.getAttribute("data-state")).toList();
        assertEquals(List.of("PENDING", "DEPLOYING", "RUNNING", "SCALING", "COOLDOWN", "RUNNING"), states);
        assertTrue(text(By.cssSelector("table.role-timeline[data-role='web']")).contains("SCALING"));

        // A VM's own page, live: a reboot shows in its count.
        click(By.cssSelector("[data-tab='roles']"));
        WebElement link = visible(By.cssSelector("fieldset.role[data-role='db'] table.vms tbody tr a"));
        String vm = link.getText();
        link.click();
        waitText(By.id("vm-lcm"), "RUNNING");
        assertEquals("0", text(By.id("vm-reboots")));
        new Select(visible(By.cssSelector("#vm select.vm-action"))).selectByValue("reboot");
        click(By.cssSelector("#vm button.vm-run"));
        accept("Run reboot on VMs " + vm + "?");
        waitText(By.id("vm-reboots"), "1");
    }

    @Test
    void theListPatchesRowsFromFramesAndSearchesFiltersSortsAndPages() {
        int template = server.createTemplate("""
                {"name": "bulk", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """);
        List<Integer> ids = new java.util.ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            ids.add(server.instantiate(template, "{\"name\": \"bulk-" + i + "\"}"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(i -> server.state(i) == 2));
        open("/#/services");
        visible(By.cssSelector("#services tbody tr[data-id]"));
        int total = api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT").size();
        new Select(browser.findElement(By.id("page-size"))).selectByValue("10");
        waitText(By.id("page-info"), "1–10 of " + total);
        assertEquals(10, rows().size());
        wait.until(d -> d.findElement(By.cssSelector("#state-counts button[data-state='RUNNING'] .n")).getText()
                .equals(Integer.toString(running())));

        // Next page and back.
        click(By.id("next"));
        waitText(By.id("page-info"), "11–" + Math.min(20, total) + " of " + total);
        click(By.id("prev"));
        waitText(By.id("page-info"), "1–10 of " + total);

        // Search, then sort by name both ways.
        visible(By.id("search")).sendKeys("bulk-1");
        waitText(By.id("page-info"), "1–4 of 4");
        click(By.cssSelector("#services th[data-sort='name']"));
        wait.until(d -> names().get(0).equals("bulk-1") && names().get(1).equals("bulk-10"));
        click(By.cssSelector("#services th[data-sort='name']"));
        wait.until(d -> names().get(0).equals("bulk-12"));

        // A delete elsewhere: the row's state follows from the stream, with no fetch of the whole list.
        js("performance.setResourceTimingBufferSize(10000); performance.clearResourceTimings()");
        int doomed = ids.get(0);
        assertEquals(204, api.delete("/service/" + doomed).status());
        wait.until(d -> "DONE".equals(d.findElement(By.cssSelector("#services tr[data-id='" + doomed + "'] td.state"))
                .getAttribute("data-state")));
        waitText(By.cssSelector("#state-counts button[data-state='DONE'] .n"), "1");
        assertEquals(0L, js("return performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname"
                + " === '/service').length"), "rows are patched, the list is not fetched again");

        // Filter by state from the menu, then from the counts.
        WebElement search = browser.findElement(By.id("search"));
        search.clear();
        search.sendKeys(" ");
        wait.until(d -> {
            new Select(d.findElement(By.id("state-filter"))).selectByValue("5");
            return true;
        });
        wait.until(d -> rows().size() == 1 && rows().get(0).getAttribute("data-id").equals(Integer.toString(doomed)));
        click(By.cssSelector("#state-counts button[data-state='DONE']"));
        waitText(By.id("page-info"), "1–10 of " + total);
        // A new service (from another client) appears without a reload.
        int late = server.instantiate(template, "{\"name\": \"bulk-late\"}");
        visible(By.cssSelector("#services tr[data-id='" + late + "']"));
    }

    /** A service whose role NICs use $Private (made or chosen by networks_values) and $Public (network 0). */
    private static int networked(String name, String privateNetwork) {
        int template = server.createTemplate("""
                {"name": "networked", "networks": {"Private": "M|network|Private||", "Public": "O|network|Public||id:0"},
                 "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 1,
                   "template_contents": {"NIC": [{"NETWORK_ID": "$Private"}, {"NETWORK_ID": "$Public"}]}}]}
                """);
        return server.instantiate(template, "{\"name\": \"" + name + "\", \"networks_values\": [{\"Private\": "
                + privateNetwork + "}, {\"Public\": {\"id\": \"0\"}}]}");
    }

    private static By networkCell(String network, String cell) {
        return By.cssSelector("#info-networks tr[data-network='" + network + "'] " + cell);
    }

    /**
     * Keeps every value the page showed for the service's state badge and for a network's state, so a
     * test sees the order of what was shown however short each was on screen; it lives in the
     * document, so finding it later also proves the page was not reloaded.
     */
    private static void recordStates(String network) {
        js("const name = arguments[0]; const seen = window.seenStates = {service: [], network: []};"
                + "const push = (list, v) => { if (v != null && list[list.length - 1] !== v) list.push(v); };"
                + "const note = () => {"
                + "  const badge = document.getElementById('service-state');"
                + "  const net = document.querySelector(`#info-networks tr[data-network='${name}'] .net-state`);"
                + "  if (badge) push(seen.service, badge.dataset.state);"
                + "  if (net) push(seen.network, net.dataset.netState); };"
                + "note();"
                + "new MutationObserver(note).observe(document.body, {subtree: true, childList: true, attributes: true,"
                + " characterData: true});", network);
    }

    @SuppressWarnings("unchecked")
    private static List<String> recorded(String which) {
        Object seen = js("return window.seenStates ? window.seenStates[arguments[0]] : null", which);
        assertTrue(seen != null, "the page was reloaded: what it recorded is gone");
        return (List<String>) seen;
    }

    @Test
    void theInfoTabShowsTheServicesNetworksAndFollowsAMadeOneToReadyWithoutReloading() {
        // Long enough for the page to open before the network is READY; the recorder keeps the order anyway.
        int id = networked("nets-1", "{\"template_id\": \"0\", \"extra\": \"SIM_NET_CREATE_SECONDS=3\"}");
        open("/#/service/" + id);
        visible(By.id("info-networks"));
        recordStates("Private");

        waitText(networkCell("Private", ".net-state"), "READY");
        wait.until(d -> "RUNNING".equals(d.findElement(By.id("service-state")).getAttribute("data-state")));
        List<String> network = recorded("network");
        assertTrue(network.size() >= 2 && !network.get(0).equals("READY") && network.get(network.size() - 1).equals("READY"),
                "the made network was shown before it was READY, then READY: " + network);
        List<String> service = recorded("service");
        assertEquals("DEPLOYING_NETS", service.get(0), "the badge while the network is made: " + service);
        assertEquals("RUNNING", service.get(service.size() - 1), service.toString());

        JsonNode made = null;
        for (JsonNode n : server.body(id).path("service_networks")) {
            made = n.path("name").asText().equals("Private") ? n : made;
        }
        assertEquals(made.path("id").asText(), text(networkCell("Private", ".net-id")), "the id GET /service/:id gives");
        assertEquals("from network template 0", text(networkCell("Private", ".net-source")));
        assertEquals("0", text(networkCell("Public", ".net-id")));
        assertEquals("existing network", text(networkCell("Public", ".net-source")));
        assertEquals("-", text(networkCell("Public", ".net-state")), "a network used as is has no state of the service's");
        assertEquals(List.of("Name", "ID", "Source", "State"), networkHeaders());
    }

    @Test
    void aNetworkTheCloudFailsShowsErrorAndTheServiceFailedDeployingNetsInBothLanguages() {
        ApiClient.Response broken = api.post("/sim/net-template", "{\"name\": \"broken-net\", \"attributes\": "
                + "{\"SIM_NET_FAIL\": \"create\", \"SIM_NET_CREATE_SECONDS\": \"0.5\"}}");
        assertEquals(201, broken.status(), broken.body());
        String template = broken.json().path("VNTEMPLATE").path("ID").asText();
        int id = networked("nets-broken", "{\"template_id\": \"" + template + "\"}");
        open("/#/service/" + id);
        waitText(networkCell("Private", ".net-state"), "ERROR");
        wait.until(d -> "FAILED_DEPLOYING_NETS".equals(d.findElement(By.id("service-state")).getAttribute("data-state")));
        assertEquals("from network template " + template, text(networkCell("Private", ".net-source")));
        assertEquals(13, server.state(id));

        new Select(visible(By.id("lang"))).selectByValue("ru");
        waitText(By.id("service-state"), "ОШИБКА РАЗВЕРТЫВАНИЯ СЕТЕЙ");
        waitText(networkCell("Private", ".net-state"), "ОШИБКА");
        assertEquals("ERROR", browser.findElement(networkCell("Private", ".net-state")).getAttribute("data-net-state"));
        assertEquals("из шаблона сети " + template, text(networkCell("Private", ".net-source")));
        assertEquals("существующая сеть", text(networkCell("Public", ".net-source")));
        assertEquals(List.of("Имя", "ID", "Источник", "Состояние"), networkHeaders());
        assertEquals(List.of(), js("return Object.keys(NET_STATE_RU).filter(s => !/^[А-ЯЁ ]+$/.test(NET_STATE_RU[s]))"),
                "every network state has a Russian name");
        new Select(browser.findElement(By.id("lang"))).selectByValue("en");
        waitText(By.cssSelector("[data-tab='info']"), "Info");
    }

    // ------------------------------------------------------------------ safe

    @Test
    void roleActionsAreValidatedAndPendingBatchesCanBeCancelled() {
        int template = server.createTemplate("""
                {"name": "batches", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 3,
                  "min_vms": 1, "max_vms": 3}]}
                """);
        int id = running(template, "batches-1");
        open("/#/service/" + id);
        click(By.cssSelector("[data-tab='roles']"));
        WebElement role = visible(By.cssSelector("fieldset.role[data-role='r']"));
        new Select(role.findElement(By.cssSelector("select.action"))).selectByValue("reboot");
        role.findElement(By.cssSelector("input.number")).sendKeys("-1");
        role.findElement(By.cssSelector("input.period")).sendKeys("-5");
        role.findElement(By.cssSelector("button.run")).click();
        waitText(By.cssSelector("fieldset.role[data-role='r'] .role-action label:nth-of-type(2) .field-error"),
                "Number must be 0 or more");
        assertEquals("Period must be 0 or more",
                text(By.cssSelector("fieldset.role[data-role='r'] .role-action label:nth-of-type(3) .field-error")));
        assertTrue(noAlert(), "nothing is asked, nothing is sent");

        setValue(role.findElement(By.cssSelector("input.number")), "1");
        setValue(role.findElement(By.cssSelector("input.period")), "60");
        role.findElement(By.cssSelector("button.run")).click();
        accept("Run reboot on role r of service batches-1?");
        WebElement pending = visible(By.cssSelector("fieldset.role[data-role='r'] table.pending tbody tr"));
        String sched = pending.getAttribute("data-sched");
        waitText(By.cssSelector("fieldset.role[data-role='r'] table.pending .batch-progress"), "batch 1 of 3 done");
        click(By.cssSelector("fieldset.role[data-role='r'] table.pending button.cancel-batches"));
        accept("Cancel the remaining batches of reboot on role r (sched action " + sched + ")?");
        waitText(By.cssSelector("fieldset.role[data-role='r'] .pending-none"), "No pending batches.");

        // Scale outside min_vms..max_vms asks for Force, as the server would refuse it.
        WebElement cardinality = browser.findElement(By.cssSelector("fieldset.role[data-role='r'] input.cardinality"));
        setValue(cardinality, "5");
        click(By.cssSelector("fieldset.role[data-role='r'] button.scale"));
        waitText(By.cssSelector("fieldset.role[data-role='r'] .role-scale .field-error"),
                "Cardinality must be from 1 to 3 (min_vms..max_vms), or tick Force");
        assertEquals(3, server.body(id).path("roles").get(0).path("cardinality").asInt());
        click(By.cssSelector("[data-tab='log']"));
        wait.until(d -> d.findElements(By.cssSelector("#log td")).stream()
                .anyMatch(td -> td.getText().startsWith("Sched action " + sched + " cancelled")));
    }

    @Test
    void instantiateTypesMasksAndRequiresUserInputsAndTheServerRefusesTheSame() {
        int template = server.createTemplate("""
                {"name": "inputs", "user_inputs": {"DB_PASSWORD": "M|password|Database password||",
                  "SIZE": "O|number|Size||5", "MODE": "O|list|Mode|fast,safe|safe", "CPUS": "M|range|CPUs|1..4|2"},
                 "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """);
        open("/#/template/" + template);
        click(By.cssSelector("#template .instantiate"));
        WebElement password = visible(By.cssSelector("#instantiate [data-input='DB_PASSWORD']"));
        assertEquals("password", password.getAttribute("type"), "masked");
        assertEquals("true", password.getAttribute("required"));
        assertTrue(text(By.cssSelector("label.user-input[data-key='DB_PASSWORD']")).contains("*"), "marked required");
        assertEquals("5", browser.findElement(By.cssSelector("[data-input='SIZE']")).getAttribute("value"), "default");
        assertEquals("safe", new Select(browser.findElement(By.cssSelector("[data-input='MODE']")))
                .getFirstSelectedOption().getText());
        assertEquals("2", browser.findElement(By.cssSelector("[data-input='CPUS']")).getAttribute("value"));
        WebElement name = browser.findElement(By.id("service-name"));
        name.clear();
        name.sendKeys("typed-1");
        int before = count("typed-1");

        click(By.id("create"));
        waitText(By.cssSelector("label.user-input[data-key='DB_PASSWORD'] .field-error"), "Database password is required");
        setValue(browser.findElement(By.cssSelector("[data-input='CPUS']")), "9");
        password.sendKeys("s3cret");
        click(By.id("create"));
        waitText(By.cssSelector("label.user-input[data-key='CPUS'] .field-error"), "CPUs must be from 1 to 4");
        assertEquals(before, count("typed-1"), "nothing was created");

        setValue(browser.findElement(By.cssSelector("[data-input='CPUS']")), "3");
        click(By.id("create"));
        visible(By.id("services"));
        await().atMost(Duration.ofSeconds(10)).until(() -> count("typed-1") == before + 1);
        JsonNode created = api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT");
        JsonNode values = null;
        for (JsonNode d : created) {
            if (d.path("NAME").asText().equals("typed-1")) {
                values = d.path("TEMPLATE").path("BODY").path("user_inputs_values");
                open("/#/service/" + d.path("ID").asText());
            }
        }
        assertEquals("s3cret", values.path("DB_PASSWORD").asText());
        assertEquals("5", values.path("SIZE").asText());
        assertEquals("3", values.path("CPUS").asText());
        waitText(By.id("info-inputs"), "DB_PASSWORD = ••••••");
        assertFalse(text(By.id("info")).contains("s3cret"), "a password is not shown");

        // The server refuses what the form refuses, naming the field.
        ApiClient.Response empty = api.send("POST", "/service_template/" + template + "/action", """
                {"action": {"perform": "instantiate", "params": {"merge_template": {"user_inputs_values":
                  {"DB_PASSWORD": "", "SIZE": "5", "MODE": "safe", "CPUS": "2"}}}}}""", "application/json");
        assertEquals(400, empty.status());
        assertEquals("user_inputs_values.DB_PASSWORD", empty.json().path("error").path("details").path("field").asText(),
                empty.body());
    }

    // ------------------------------------------------------------------ complete

    @Test
    void templatesAreCreatedEditedClonedAndDeletedAsJsonWithTheirRoleGraph() {
        open("/#/templates");
        click(By.id("new-template"));
        WebElement editor = visible(By.id("template-json"));
        setValue(editor, "{not json");
        click(By.id("template-save"));
        waitText(By.id("editor-error"), "Not valid JSON");
        setValue(editor, """
                {"name": "graphy", "roles": [{"name": "a", "type": "vm", "template_id": 0, "cardinality": -1}]}""");
        click(By.id("template-save"));
        wait.until(d -> d.findElement(By.id("editor-error")).getText().contains("cardinality"));
        String serverSays = text(By.id("editor-error"));
        ApiClient.Response refused = api.post("/service_template", """
                {"name": "graphy", "roles": [{"name": "a", "type": "vm", "template_id": 0, "cardinality": -1}]}""");
        assertEquals(serverSays, refused.body(), "the server's own message");

        setValue(editor, """
                {"name": "graphy", "description": "first", "roles": [
                  {"name": "a", "type": "vm", "template_id": 0, "cardinality": 1},
                  {"name": "b", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["a"], "min_vms": 1, "max_vms": 5},
                  {"name": "c", "type": "vm", "template_id": 0, "cardinality": 1, "parents": ["a", "b"],
                   "min_vms": 1, "max_vms": 3, "elasticity_policies": [{"type": "CHANGE", "adjust": 1, "expression": "CPU > 80", "period": 60,
                     "period_number": 3, "cooldown": 300}]}]}""");
        click(By.id("template-save"));
        visible(By.cssSelector("#template svg.role-graph"));
        assertEquals(3, browser.findElements(By.cssSelector("#template svg g.node")).size());
        assertEquals(List.of("a→b", "a→c", "b→c"), browser.findElements(By.cssSelector("#template svg line.edge")).stream()
                .map(e -> e.getAttribute("data-from") + "→" + e.getAttribute("data-to")).sorted().toList());
        assertEquals("a, b", text(By.cssSelector("#template table.role-info[data-role='c'] .role-parents")));
        assertTrue(text(By.cssSelector("#template table.role-info[data-role='c'] .role-elasticity")).contains("CPU > 80"));
        String id = browser.findElement(By.id("template")).getAttribute("data-id");

        click(By.id("edit-template"));
        WebElement again = visible(By.id("template-json"));
        setValue(again, again.getAttribute("value").replace("\"first\"", "\"second\""));
        click(By.id("template-save"));
        wait.until(d -> d.findElement(By.id("template")).getText().contains("second"));

        click(By.id("clone-template"));
        WebElement cloneName = visible(By.id("clone-name"));
        cloneName.clear();
        cloneName.sendKeys("graphy-copy");
        click(By.id("clone-go"));
        wait.until(d -> d.findElement(By.cssSelector("#template h2")).getText().endsWith("graphy-copy"));
        String copy = browser.findElement(By.id("template")).getAttribute("data-id");
        assertFalse(copy.equals(id));

        click(By.id("delete-template"));
        accept("Delete service template graphy-copy?");
        visible(By.id("templates"));
        wait.until(d -> d.findElements(By.cssSelector("#templates tr[data-id='" + copy + "']")).isEmpty());
        assertEquals(404, api.get("/service_template/" + copy).status());
        assertEquals(200, api.get("/service_template/" + id).status());
    }

    @Test
    void theAutoscalerViewChartsTheMetricItsThresholdAndEachDecision() {
        int template = server.createTemplate("""
                {"name": "elastic", "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 1,
                  "min_vms": 1, "max_vms": 2, "cooldown": 0, "elasticity_policies": [{"type": "CHANGE", "adjust": 1,
                  "expression": "CPU > 80", "period": 1, "period_number": 1, "cooldown": 0}]}]}
                """);
        int id = running(template, "elastic-1");
        int vm = server.body(id).path("roles").get(0).path("nodes").get(0).path("deploy_id").asInt();
        assertEquals(200, api.put("/sim/vm/" + vm, "{\"monitoring\": {\"CPU\": 95}}").status());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.body(id).path("roles").get(0).path("cardinality").asInt() == 2);

        open("/#/service/" + id);
        click(By.cssSelector("[data-tab='autoscaler']"));
        visible(By.cssSelector("#autoscaler-chart .uplot canvas"));
        String legend = text(By.cssSelector("#autoscaler-chart .u-legend"));
        assertTrue(legend.contains("Metric CPU (#0)") && legend.contains("Threshold CPU > 80")
                && legend.contains("Cardinality") && legend.contains("Decisions"), legend);
        wait.until(d -> d.findElements(By.cssSelector("#autoscaler-decisions tr.decision")).stream()
                .anyMatch(r -> r.getText().contains("1 → 2") && r.getText().contains("CPU[95.0] > 80")));
    }

    // ------------------------------------------------------------------ readable: Russian and dates

    @Test
    void russianIsCompleteWithTheSeedsTermsAndDatesInTheUsersLocale() {
        int template = server.createTemplate("""
                {"name": "russian", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1}]}
                """);
        int id = running(template, "russian-1");
        open("/#/services");
        WebElement search = visible(By.id("search"));
        search.clear();
        search.sendKeys("russian-1");
        String started = text(By.cssSelector("#services tr[data-id='" + id + "'] td:nth-child(5)"));
        assertTrue(started.matches("\\d{1,2}/\\d{1,2}/\\d{2}, \\d{1,2}:\\d{2}:\\d{2}[\\s\\u202f][AP]M"), "en-US: " + started);

        new Select(visible(By.id("lang"))).selectByValue("ru");
        waitText(By.cssSelector("#services tr[data-id='" + id + "'] td.state"), "ЗАПУЩЕНО");
        assertEquals("Сервисы", text(By.cssSelector("#nav a[href='#/services']")));
        assertEquals("Шаблоны Сервисов", text(By.cssSelector("#nav a[href='#/templates']")));
        assertEquals("Обновить страницу", text(By.id("refresh")));
        assertFalse(browser.getPageSource().contains("Экземпляры ВМ"), "services are not 'VM instances'");
        String ruStarted = text(By.cssSelector("#services tr[data-id='" + id + "'] td:nth-child(5)"));
        assertTrue(ruStarted.matches("\\d{2}\\.\\d{2}\\.\\d{4}, \\d{2}:\\d{2}:\\d{2}"), "ru-RU: " + ruStarted);
        // Every service and role state has its Russian name.
        assertEquals(List.of(), js("return STATES.map((s, i) => stateName(i)).concat(ROLE_STATES.map((s, i) => "
                + "roleStateName(i))).filter(n => /[A-Z]/.test(n))"));

        click(By.cssSelector("#services tr[data-id='" + id + "']"));
        assertEquals("Сведения", text(By.cssSelector("[data-tab='info']")));
        click(By.cssSelector("[data-tab='roles']"));
        WebElement role = visible(By.cssSelector("fieldset.role[data-role='r']"));
        assertEquals("ЗАПУЩЕНО", role.findElement(By.cssSelector(".role-state")).getText());
        Select actions = new Select(role.findElement(By.cssSelector("select.action")));
        assertEquals("— выберите действие —", actions.getFirstSelectedOption().getText());
        assertTrue(actions.getOptions().stream().skip(1).noneMatch(o -> o.getText().matches(".*[a-z].*")),
                "all 19 action names in Russian");
        actions.selectByVisibleText("Перезагрузить");
        role.findElement(By.cssSelector("input.number")).sendKeys("-1");
        role.findElement(By.cssSelector("button.run")).click();
        waitText(By.cssSelector("fieldset.role[data-role='r'] .field-error"), "Поле «ВМ за итерацию» должно быть не меньше 0");
        setValue(role.findElement(By.cssSelector("input.number")), "");
        role.findElement(By.cssSelector("button.run")).click();
        Alert question = wait.until(ExpectedConditions.alertIsPresent());
        assertEquals("Выполнить «Перезагрузить» для роли r сервиса russian-1?", question.getText());
        question.dismiss();
        click(By.cssSelector("[data-tab='timeline']"));
        waitText(By.cssSelector("table.service-timeline"), "РАЗВОРАЧИВАЕТСЯ");
        new Select(browser.findElement(By.id("lang"))).selectByValue("en");
        waitText(By.cssSelector("[data-tab='info']"), "Info");
    }

    // ------------------------------------------------------------------ helpers

    private static int running(int template, String name) {
        int id = server.instantiate(template, "{\"name\": \"" + name + "\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);
        return id;
    }

    private static int running() {
        int n = 0;
        for (JsonNode d : api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT")) {
            n += d.path("TEMPLATE").path("BODY").path("state").asInt() == 2 ? 1 : 0;
        }
        return n;
    }

    private static int count(String name) {
        int n = 0;
        for (JsonNode d : api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT")) {
            n += d.path("NAME").asText().equals(name) ? 1 : 0;
        }
        return n;
    }

    private static void signIn() {
        WebElement user = visible(By.id("user"));
        user.clear();
        user.sendKeys("oneadmin");
        browser.findElement(By.id("password")).sendKeys(TestServer.PASSWORD);
        browser.findElement(By.id("signin-button")).click();
        visible(By.id("services"));
    }

    /** A page of the console by its address, loaded afresh (the session cookie stays). */
    private static void open(String path) {
        browser.get(api.baseUrl() + path);
        if (!path.contains("#/")) {
            return;
        }
        // A new document: the hash route runs after the session check.
        wait.until(d -> !d.findElements(By.cssSelector("#view > *")).isEmpty());
    }

    private static List<WebElement> rows() {
        return browser.findElements(By.cssSelector("#services tbody tr[data-id]"));
    }

    private static List<String> names() {
        return rows().stream().map(r -> r.findElement(By.cssSelector("td:nth-child(2)")).getText()).toList();
    }

    private static WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static void click(By by) {
        wait.until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    /** The networks table's column headings, read again if the page redrew the table meanwhile. */
    private static List<String> networkHeaders() {
        return wait.until(d -> {
            try {
                return d.findElements(By.cssSelector("#info-networks thead th")).stream().map(WebElement::getText)
                        .toList();
            } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
                return null;
            }
        });
    }

    /** The element's text; read again when the page re-rendered it meanwhile (live frames redraw tables). */
    private static String text(By by) {
        return wait.until(d -> {
            try {
                return visible(by).getText();
            } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
                return null;
            }
        });
    }

    /** Waits until the element's text contains what is expected; a timeout says what it showed. */
    private static void waitText(By by, String expected) {
        try {
            wait.until(ExpectedConditions.textToBePresentInElementLocated(by, expected));
        } catch (org.openqa.selenium.TimeoutException e) {
            List<WebElement> found = browser.findElements(by);
            throw new AssertionError("expected '" + expected + "' in " + by + ", page showed: "
                    + (found.isEmpty() ? "(nothing)" : "'" + found.get(0).getText() + "'") + "; error bar: '"
                    + browser.findElement(By.id("error")).getText() + "'", e);
        }
    }

    /** Types a whole new value, as a user selecting the field's text and typing over it. */
    private static void setValue(WebElement field, String value) {
        js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                + " arguments[0].dispatchEvent(new Event('change', {bubbles: true}))", field, value);
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static void accept(String question) {
        Alert alert = wait.until(ExpectedConditions.alertIsPresent());
        assertEquals(question, alert.getText());
        alert.accept();
    }

    private static boolean noAlert() {
        try {
            browser.switchTo().alert();
            return false;
        } catch (NoAlertPresentException e) {
            return true;
        }
    }

    private static void dismissAnyAlert() {
        if (!noAlert()) {
            browser.switchTo().alert().dismiss();
        }
    }
}
