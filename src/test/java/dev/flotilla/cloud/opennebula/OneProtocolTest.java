package dev.flotilla.cloud.opennebula;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What goes to oned and what comes back, byte for byte where it matters. */
class OneProtocolTest {

    @Test
    void callsAreXmlRpcWithEscapedStrings() {
        String xml = XmlRpc.call("one.vm.action", "a:b", "terminate", 42, true);
        assertEquals("<?xml version=\"1.0\"?><methodCall><methodName>one.vm.action</methodName><params>"
                + "<param><value><string>a:b</string></value></param>"
                + "<param><value><string>terminate</string></value></param>"
                + "<param><value><i4>42</i4></value></param>"
                + "<param><value><boolean>1</boolean></value></param></params></methodCall>", xml);
        assertTrue(XmlRpc.call("m", "<x>&").contains("<string>&lt;x&gt;&amp;</string>"));
    }

    @Test
    void answersAreReadAsOnedsArrays() {
        List<Object> ok = XmlRpc.values("<?xml version='1.0'?><methodResponse><params><param><value><array><data>"
                + "<value><boolean>1</boolean></value><value><string>&lt;VM&gt;&lt;ID&gt;3&lt;/ID&gt;&lt;/VM&gt;</string>"
                + "</value><value><int>0</int></value></data></array></value></param></params></methodResponse>");
        assertEquals(List.of(true, "<VM><ID>3</ID></VM>", 0L), ok);
        assertThrows(IllegalArgumentException.class, () -> XmlRpc.values("<methodResponse><fault><value><struct>"
                + "<member><name>faultCode</name><value><int>1</int></value></member></struct></value></fault>"
                + "</methodResponse>"));
        assertThrows(IllegalArgumentException.class, () -> XmlRpc.values("<!DOCTYPE x [<!ENTITY e SYSTEM "
                + "\"file:///etc/passwd\">]><methodResponse>&e;</methodResponse>"), "no external entities");
    }

    @Test
    void vmsAreReadWhereverTheyAreAndTheirKeysFound() {
        String hook = "<HOOK_MESSAGE><HOOK_TYPE>STATE</HOOK_TYPE><STATE>ACTIVE</STATE><VM><ID>7</ID><UID>2</UID>"
                + "<GID>1</GID><NAME>web_0</NAME><STATE>3</STATE><LCM_STATE>3</LCM_STATE><TEMPLATE><MEMORY>512"
                + "</MEMORY><NIC><IP>10.0.0.1</IP></NIC></TEMPLATE><USER_TEMPLATE><READY><![CDATA[YES]]></READY>"
                + "<FLOTILLA_REQUEST_KEY><![CDATA[7-web-0-v0]]></FLOTILLA_REQUEST_KEY></USER_TEMPLATE>"
                + "<MONITORING><CPU>12.5</CPU></MONITORING></VM></HOOK_MESSAGE>";
        OneXml.Vm vm = OneXml.vms(hook).get(0);
        assertEquals(7, vm.id());
        assertEquals(3, vm.state());
        assertEquals(3, vm.lcmState());
        assertEquals("7-web-0-v0", vm.requestKey());
        assertTrue(vm.ready());
        assertEquals("512", vm.template().get("MEMORY"));
        assertEquals("12.5", vm.monitoring().get("CPU"));
        assertEquals(2, OneXml.vms("<VM_POOL>" + hook.replace("<HOOK_MESSAGE>", "").replace("</HOOK_MESSAGE>", "")
                .replaceAll("<HOOK_TYPE>.*?</STATE>", "") + "<VM><ID>8</ID><STATE>6</STATE><LCM_STATE>0</LCM_STATE>"
                + "</VM></VM_POOL>").size());
    }

    @Test
    void aTokenIsTheServerNameTargetAndExpiryUnderAes256CbcOfThePasswordHash() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_000_000), ZoneOffset.UTC);
        CoreSessions sessions = new CoreSessions("serveradmin", "secret", clock);
        String session = sessions.as("alice", 1);
        String[] parts = session.split(":", 4);
        assertEquals(List.of("serveradmin", "alice", "1"), List.of(parts[0], parts[1], parts[2]));
        String hex = CoreSessions.sha256Hex("secret");
        Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(hex.substring(0, 32).getBytes(StandardCharsets.US_ASCII), "AES"),
                new IvParameterSpec(hex.substring(0, 16).getBytes(StandardCharsets.US_ASCII)));
        String text = new String(aes.doFinal(Base64.getDecoder().decode(parts[3])), StandardCharsets.UTF_8);
        assertEquals("serveradmin:alice:1:" + (1_000_000 + CoreSessions.LIFETIME_SECONDS), text);
        assertEquals(session, sessions.as("alice", 1), "a token is reused until near its expiry");
        assertTrue(sessions.server().startsWith("serveradmin:serveradmin:"));
    }

    @Test
    void templateContentsBecomeOpenNebulaTemplateText() throws Exception {
        ObjectNode contents = (ObjectNode) new ObjectMapper().readTree(
                "{\"MEMORY\": 512, \"CONTEXT\": {\"ROLE\": \"web\", \"Q\": \"a\\\"b\"}, \"NIC\": [{\"NETWORK_ID\": 0},"
                        + " {\"NETWORK_ID\": 1}]}");
        assertEquals("MEMORY=\"512\"\nCONTEXT=[ROLE=\"web\",\n  Q=\"a\\\"b\"]\nNIC=[NETWORK_ID=\"0\"]\n"
                + "NIC=[NETWORK_ID=\"1\"]\nSERVICE_ID=\"5\"\n", TemplateText.render(contents, Map.of("SERVICE_ID", "5")));
    }

    /** As oned writes a network: owner, state, parent, nested sections that are not the template. */
    private static final String RESERVATION = "<VNET><ID>12</ID><UID>2</UID><GID>1</GID><UNAME>alice</UNAME>"
            + "<GNAME>users</GNAME><NAME>lease-7</NAME><PERMISSIONS><OWNER_U>1</OWNER_U></PERMISSIONS>"
            + "<CLUSTERS><ID>0</ID></CLUSTERS><BRIDGE>br0</BRIDGE><STATE>2</STATE><PREV_STATE>0</PREV_STATE>"
            + "<PARENT_NETWORK_ID>0</PARENT_NETWORK_ID><VN_MAD>dummy</VN_MAD><VLAN_ID/>"
            + "<TEMPLATE><DESCRIPTION><![CDATA[a \"quoted\" text]]></DESCRIPTION>"
            + "<AR><SIZE><![CDATA[2]]></SIZE></AR><FLOTILLA_REQUEST_KEY><![CDATA[7-net-lease-v0]]>"
            + "</FLOTILLA_REQUEST_KEY></TEMPLATE><AR_POOL><AR><AR_ID>0</AR_ID><SIZE>2</SIZE></AR></AR_POOL></VNET>";

    @Test
    void networksAreReadFromInfoAndPoolWithTheirParentAndKey() {
        OneXml.Vnet vnet = OneXml.vnets(RESERVATION).get(0);
        assertEquals(12, vnet.id());
        assertEquals("lease-7", vnet.name());
        assertEquals(2, vnet.uid());
        assertEquals(1, vnet.gid());
        assertEquals("alice", vnet.uname());
        assertEquals(2, vnet.state());
        assertEquals(0, vnet.parentId());
        assertEquals("7-net-lease-v0", vnet.requestKey());
        assertEquals("a \"quoted\" text", vnet.template().get("DESCRIPTION"));
        assertEquals(Map.of("DESCRIPTION", "a \"quoted\" text", "FLOTILLA_REQUEST_KEY", "7-net-lease-v0"),
                vnet.template(), "vector attributes (AR) are not top-level values");

        List<OneXml.Vnet> pool = OneXml.vnets("<VNET_POOL><VNET><ID>0</ID><UID>0</UID><GID>0</GID><NAME>public</NAME>"
                + "<STATE>1</STATE><PARENT_NETWORK_ID></PARENT_NETWORK_ID><TEMPLATE/></VNET>" + RESERVATION
                + "</VNET_POOL>");
        assertEquals(List.of(0, 12), pool.stream().map(OneXml.Vnet::id).toList());
        assertEquals(-1, pool.get(0).parentId(), "no parent: an empty PARENT_NETWORK_ID");
        assertEquals(null, pool.get(0).requestKey());
        assertEquals(List.of(), OneXml.vnets("<VNET_POOL/>"));
    }

    @Test
    void aNetworkHookMessageNamesItsNetwork() {
        String hook = "<HOOK_MESSAGE><HOOK_TYPE>STATE</HOOK_TYPE><HOOK_OBJECT>NET</HOOK_OBJECT><STATE>READY</STATE>"
                + "<RESOURCE_ID>12</RESOURCE_ID>" + RESERVATION
                + "</HOOK_MESSAGE>";
        assertEquals(12, OneXml.hookResourceId(hook));
        assertEquals(12, OneXml.vnets(hook).get(0).id());
        assertEquals(List.of(), OneXml.vms(hook), "a network's message holds no VM");
        assertEquals(null, OneXml.hookResourceId("<HOOK_MESSAGE><HOOK_TYPE>API</HOOK_TYPE></HOOK_MESSAGE>"));
        assertEquals(null, OneXml.hookResourceId(RESERVATION), "an ID inside a VNET is not a RESOURCE_ID");
    }
}
