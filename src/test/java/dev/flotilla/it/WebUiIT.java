package dev.flotilla.it;

import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web UI end to end in real headless Chromium (Debian's chromium + chromium-driver, installed
 * by .ci/run): sign in, instantiate from the form, watch the service go DEPLOYING → RUNNING without
 * reloading, run a batched role action, delete, see DONE, purge.
 */
class WebUiIT {
    private static TestDatabase db;
    private static TestServer server;
    private static WebDriver browser;
    private static WebDriverWait wait;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final WebUiConsoleIT.FailureShots SHOTS = new WebUiConsoleIT.FailureShots(() -> browser);

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.fresh();
        server = TestServer.start(db, java.util.Map.of("FLOTILLA_SIM_DEPLOY_SECONDS", "2"));
        browser = WebUiConsoleIT.chromium();
        wait = WebUiConsoleIT.waitFor(browser);
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

    private static WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static String rowState(String serviceId) {
        return browser.findElement(By.cssSelector("#services tr[data-id='" + serviceId + "'] td.state"))
                .getAttribute("data-state");
    }

    @Test
    void anOperatorDeploysWatchesActsDeletesAndPurges() {
        int template = server.createTemplate("""
                {"name": "shop", "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 2}]}
                """);
        signedOut("/");

        // A wrong password is refused with the server's message, shown.
        visible(By.id("password")).sendKeys("wrong");
        browser.findElement(By.id("signin-button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "Invalid credentials"));
        WebElement password = browser.findElement(By.id("password"));
        password.clear();
        password.sendKeys(TestServer.PASSWORD);
        browser.findElement(By.id("signin-button")).click();
        visible(By.id("services"));

        visible(By.cssSelector("#nav a[href='#/templates']")).click();
        visible(By.cssSelector("#templates a[href='#/template/" + template + "']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("template-body"), "\"name\": \"web\""));
        visible(By.cssSelector("#template .instantiate")).click();
        WebElement serviceName = visible(By.id("service-name"));
        assertEquals("shop", serviceName.getAttribute("value"), "the template's name by default");
        serviceName.clear();
        serviceName.sendKeys("shop-ui");
        browser.findElement(By.id("instances")).clear();
        browser.findElement(By.id("instances")).sendKeys("1");
        browser.findElement(By.id("create")).click();

        visible(By.id("services"));
        String id = wait.until(d -> d.findElements(By.cssSelector("#services tbody tr")).stream()
                .filter(r -> r.getText().contains("shop-ui")).map(r -> r.getAttribute("data-id")).findFirst()
                .orElse(null));
        // No reload from here on: the page follows the /events stream.
        wait.until(d -> "DEPLOYING".equals(rowState(id)));
        wait.until(d -> "RUNNING".equals(rowState(id)));

        wait.until(d -> {
            d.findElement(By.cssSelector("#services tr[data-id='" + id + "']")).click();
            return true;
        });
        visible(By.cssSelector("[data-tab='roles']")).click();
        WebElement role = visible(By.cssSelector("fieldset.role[data-role='web']"));
        new Select(role.findElement(By.cssSelector("select.action"))).selectByVisibleText("reboot");
        role.findElement(By.cssSelector("input.number")).sendKeys("1");
        role.findElement(By.cssSelector("input.period")).sendKeys("1");
        role.findElement(By.cssSelector("button.run")).click();
        accept("Run reboot on role web of service shop-ui?");
        // A per-VM action on the selected VM only.
        WebElement vms = visible(By.cssSelector("fieldset.role[data-role='web'] table.vms"));
        String firstVm = vms.findElement(By.cssSelector("input[type=checkbox]")).getAttribute("value");
        vms.findElement(By.cssSelector("input[type=checkbox]")).click();
        new Select(browser.findElement(By.cssSelector("fieldset.role[data-role='web'] select.vm-action")))
                .selectByVisibleText("poweroff");
        browser.findElement(By.cssSelector("fieldset.role[data-role='web'] button.vm-run")).click();
        accept("Run poweroff on VMs " + firstVm + "?");
        browser.findElement(By.cssSelector("[data-tab='log']")).click();
        untilLogShows(td -> td.endsWith("(batch 2/2)"));
        untilLogShows(td -> td.equals("Role web : VM " + firstVm + " poweroff done (batch 1/1)"));
        assertEquals(8, server.api().get("/sim/vm/" + firstVm).json().path("VM").path("STATE").asInt());

        browser.findElement(By.id("delete")).click();
        accept("Delete service shop-ui? Its VMs are terminated.");
        wait.until(d -> "DONE".equals(d.findElement(By.id("service-state")).getAttribute("data-state")));

        browser.get(server.api().baseUrl() + "/#/services");
        visible(By.id("purge")).click();
        accept("Remove every DONE service and its history?");
        wait.until(d -> d.findElements(By.cssSelector("#services tr[data-id='" + id + "']")).isEmpty());
        assertEquals(404, server.api().get("/service/" + id).status());
    }

    /** Waits for a log line; a timeout says what the page showed (its error bar, its log). */
    private static void untilLogShows(java.util.function.Predicate<String> line) {
        try {
            wait.until(d -> d.findElements(By.cssSelector("#log td")).stream().anyMatch(td -> line.test(td.getText())));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("error bar: '" + browser.findElement(By.id("error")).getText() + "'; log: "
                    + browser.findElements(By.cssSelector("#log tr")).stream().map(WebElement::getText).toList(), e);
        }
    }

    /** Answers the confirmation dialog, which must name what is about to happen. */
    private static void accept(String question) {
        org.openqa.selenium.Alert alert = wait.until(ExpectedConditions.alertIsPresent());
        assertEquals(question, alert.getText());
        alert.accept();
    }

    @Test
    void safeAndReadable() {
        int template = server.createTemplate("""
                {"name": "careful", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1}]}
                """);
        int id = server.instantiate(template, "{\"name\": \"careful-1\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);

        // A deep link survives signing in.
        signedOut("/#/service/" + id);
        signIn("oneadmin", TestServer.PASSWORD, "service");
        wait.until(d -> "RUNNING".equals(d.findElement(By.id("service-state")).getAttribute("data-state")));
        assertEquals("rgba(26, 127, 55, 1)", browser.findElement(By.id("service-state")).getCssValue("background-color"),
                "RUNNING is green");

        // Nothing destructive is preselected, and a dismissed question changes nothing.
        visible(By.cssSelector("[data-tab='roles']")).click();
        WebElement role = visible(By.cssSelector("fieldset.role[data-role='r']"));
        assertEquals("", new Select(role.findElement(By.cssSelector("select.action"))).getFirstSelectedOption()
                .getAttribute("value"));
        role.findElement(By.cssSelector("button.run")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "Choose an action first"));
        browser.findElement(By.id("dismiss")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("error")));
        browser.findElement(By.id("delete")).click();
        org.openqa.selenium.Alert question = wait.until(ExpectedConditions.alertIsPresent());
        assertEquals("Delete service careful-1? Its VMs are terminated.", question.getText());
        question.dismiss();
        assertEquals(2, server.state(id), "dismissed: still RUNNING");

        // An id that does not exist gets its own page, not the previous one.
        browser.get(server.api().baseUrl() + "/#/service/424242");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("not-found"), "424242"));
        assertTrue(browser.findElements(By.id("service")).isEmpty());
        assertEquals(200, server.api().anonymous().get("/favicon.ico").status(), "no 401 in every console");
    }

    /** A fresh page with no session: the cookie is what a signed-in browser holds. */
    private static void signedOut(String path) {
        browser.get(server.api().baseUrl() + path);
        browser.manage().deleteAllCookies();
        browser.navigate().refresh();
    }

    private static void signIn(String user, String password) {
        signIn(user, password, "services");
    }

    private static void signIn(String user, String password, String landingId) {
        WebElement name = visible(By.id("user"));
        name.clear();
        name.sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("signin-button")).click();
        visible(By.id(landingId));
    }

    @Test
    void bobSeesOnlyWhatHeMayAndCannotManageWhatIsOnlySharedWithHim() {
        ApiClient admin = server.api();
        int devs = admin.post("/sim/group", "{\"name\": \"ui-devs\"}").json().path("GROUP").path("ID").asInt();
        for (String user : new String[]{"alice", "bob"}) {
            assertEquals(201, admin.post("/sim/user", "{\"name\": \"" + user + "\", \"password\": \"" + user
                    + "-pw\", \"groups\": [" + devs + "]}").status());
        }
        ApiClient alice = admin.as("alice", "alice-pw");
        int template = alice.post("/service_template", """
                {"name": "alices", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """).json().path("DOCUMENT").path("ID").asInt();
        String instantiate = "{\"action\": {\"perform\": \"instantiate\", \"params\": {}}}";
        int shared = alice.post("/service_template/" + template + "/action", instantiate).json().path("DOCUMENT")
                .path("ID").asInt();
        int secret = alice.post("/service_template/" + template + "/action", instantiate).json().path("DOCUMENT")
                .path("ID").asInt();
        alice.post("/service/" + shared + "/action", "{\"action\": {\"perform\": \"chmod\", \"params\": {\"octet\": \"640\"}}}");

        signedOut("/#/services");
        signIn("bob", "bob-pw");
        wait.until(d -> !d.findElements(By.cssSelector("#services tr[data-id='" + shared + "']")).isEmpty());
        assertTrue(browser.findElements(By.cssSelector("#services tr[data-id='" + secret + "']")).isEmpty(),
                "bob does not see alice's private service");
        assertEquals("bob", browser.findElement(By.id("whoami")).getText());

        browser.findElement(By.cssSelector("#services tr[data-id='" + shared + "']")).click();
        WebElement delete = visible(By.id("delete"));
        assertFalse(delete.isEnabled(), "bob may USE but not MANAGE the shared service");
        visible(By.cssSelector("[data-tab='roles']")).click();
        WebElement scale = visible(By.cssSelector("fieldset.role[data-role='r'] button.scale"));
        assertFalse(scale.isEnabled());

        // Nothing secret is kept where scripts or URLs could leak it: the session cookie is HttpOnly.
        JavascriptExecutor js = (JavascriptExecutor) browser;
        assertFalse(browser.getCurrentUrl().contains("pw"), browser.getCurrentUrl());
        assertEquals("", js.executeScript("return document.cookie"));
        assertEquals(0L, js.executeScript("return sessionStorage.length"));
        assertFalse(String.valueOf(js.executeScript("return JSON.stringify(localStorage)")).contains("bob-pw"));

        // The stream follows bob's rights: alice shares her other service, and its next events bring
        // it onto bob's list without a reload.
        browser.get(server.api().baseUrl() + "/#/services");
        visible(By.cssSelector("#services tr[data-id='" + shared + "']"));
        alice.post("/service/" + secret + "/action", "{\"action\": {\"perform\": \"chmod\", \"params\": {\"octet\": \"640\"}}}");
        assertEquals(204, alice.post("/service/" + secret + "/scale", "{\"role_name\": \"r\", \"cardinality\": 1}")
                .status());
        wait.until(d -> !d.findElements(By.cssSelector("#services tr[data-id='" + secret + "']")).isEmpty());

        browser.findElement(By.id("signout")).click();
        visible(By.id("signin-button"));
        browser.navigate().refresh();
        visible(By.id("signin-button"));
    }

    @Test
    void russianLabelsFromTheSwitch() {
        signedOut("/#/services");
        new Select(visible(By.id("lang"))).selectByValue("ru");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"), "Войти"));
        new Select(browser.findElement(By.id("lang"))).selectByValue("en");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"), "Sign in"));
    }
}
