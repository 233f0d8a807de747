package dev.flotilla.cloud.opennebula;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * oned sessions as OneFlow makes them ({@code :core_auth: cipher}, opennebula-integration.md §2):
 * the server user never sends a user's password to oned; it acts as a user through a token
 * {@code base64(AES-256-CBC("<server>:<target>:<expiry>"))} keyed with the first 32 characters of
 * the hex SHA-256 of its own password (IV: the first 16). A token lives {@value #LIFETIME_SECONDS}
 * s and is renewed {@value #MARGIN_SECONDS} s before it expires.
 */
final class CoreSessions {
    static final long LIFETIME_SECONDS = 1800;
    static final long MARGIN_SECONDS = 300;

    private record Token(String session, long expires) {
    }

    private final String serverUser;
    private final SecretKeySpec key;
    private final IvParameterSpec iv;
    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    CoreSessions(String serverUser, String serverPassword, Clock clock) {
        this.serverUser = serverUser;
        this.clock = clock;
        String hex = sha256Hex(serverPassword);
        this.key = new SecretKeySpec(hex.substring(0, 32).getBytes(StandardCharsets.US_ASCII), "AES");
        this.iv = new IvParameterSpec(hex.substring(0, 16).getBytes(StandardCharsets.US_ASCII));
    }

    /** The server acting as itself (background work: the poller, the autoscaler, catch-up). */
    String server() {
        return as(serverUser, null);
    }

    /** The server acting as {@code user}, within group {@code gid} when given (a service's owner and group). */
    String as(String user, Integer gid) {
        String target = gid == null ? user : user + ":" + gid;
        long now = clock.instant().getEpochSecond();
        Token token = tokens.get(target);
        if (token == null || token.expires() - MARGIN_SECONDS <= now) {
            long expires = now + LIFETIME_SECONDS;
            token = new Token(serverUser + ":" + target + ":" + encrypt(serverUser + ":" + target + ":" + expires),
                    expires);
            tokens.put(target, token);
        }
        return token.session();
    }

    private String encrypt(String text) {
        try {
            Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
            aes.init(Cipher.ENCRYPT_MODE, key, iv);
            return Base64.getEncoder().encodeToString(aes.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-CBC is not available: " + e.getMessage(), e);
        }
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
