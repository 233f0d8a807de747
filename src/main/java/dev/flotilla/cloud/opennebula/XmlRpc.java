package dev.flotilla.cloud.opennebula;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * XML-RPC as oned speaks it, with the JDK's StAX: a call with string, int and boolean parameters,
 * and a response whose value is an array of strings, ints and booleans (oned's
 * {@code [success, result or message, error code, ...]}) or a fault.
 */
final class XmlRpc {
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();

    static {
        // Responses are data: no DTDs, no external entities.
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    }

    private XmlRpc() {
    }

    /** The request body for {@code method(params...)}. */
    static String call(String method, Object... params) {
        StringBuilder xml = new StringBuilder(256).append("<?xml version=\"1.0\"?><methodCall><methodName>")
                .append(method).append("</methodName><params>");
        for (Object p : params) {
            xml.append("<param><value>");
            if (p instanceof Boolean b) {
                xml.append("<boolean>").append(b ? 1 : 0).append("</boolean>");
            } else if (p instanceof Integer || p instanceof Long) {
                xml.append("<i4>").append(p).append("</i4>");
            } else {
                xml.append("<string>").append(escape(String.valueOf(p))).append("</string>");
            }
            xml.append("</value></param>");
        }
        return xml.append("</params></methodCall>").toString();
    }

    /** The values of the response's array (or of its single value), in order. */
    static List<Object> values(String response) {
        try {
            XMLStreamReader r = XML.createXMLStreamReader(new StringReader(response));
            List<Object> out = new ArrayList<>();
            boolean fault = false;
            while (r.hasNext()) {
                int event = r.next();
                if (event != XMLStreamConstants.START_ELEMENT) {
                    continue;
                }
                switch (r.getLocalName()) {
                    case "fault" -> fault = true;
                    case "boolean" -> out.add(r.getElementText().trim().equals("1"));
                    case "int", "i4", "i8" -> out.add(Long.parseLong(r.getElementText().trim()));
                    case "string" -> out.add(r.getElementText());
                    case "double" -> out.add(Double.parseDouble(r.getElementText().trim()));
                    default -> {
                        // structure elements (value, array, data, member, name)
                    }
                }
            }
            if (fault) {
                throw new IllegalArgumentException("XML-RPC fault: " + out);
            }
            return out;
        } catch (XMLStreamException | NumberFormatException e) {
            throw new IllegalArgumentException("unreadable XML-RPC response: " + e.getMessage(), e);
        }
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
