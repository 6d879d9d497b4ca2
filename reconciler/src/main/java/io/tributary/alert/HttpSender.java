package io.tributary.alert;

import io.tributary.model.AlertChannel;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The channels that are an HTTP POST of JSON, each in the format its service documents:
 * <ul>
 *   <li>webhook: the alert's fields as JSON; with a secret, {@code X-Tributary-Signature: sha256=<hex>},
 *       the HMAC-SHA256 of the body</li>
 *   <li>slack: an incoming webhook's {@code {"text": ...}} (mrkdwn)</li>
 *   <li>dingtalk: a robot's {@code markdown} message; with a secret, {@code timestamp} (ms) and
 *       {@code sign} (Base64 HMAC-SHA256 of {@code timestamp + "\n" + secret}, keyed with the secret)
 *       added to the URL's query</li>
 *   <li>wecom: a group robot's {@code markdown} message</li>
 *   <li>lark: a custom bot's {@code interactive} card (title in the header, text as {@code lark_md}); with a secret, {@code timestamp} (s) and {@code sign}
 *       (Base64 HMAC-SHA256 of nothing, keyed with {@code timestamp + "\n" + secret}) in the body</li>
 * </ul>
 * The chat services answer 200 with an error code in the body when they refuse a message; that is a
 * failed delivery too. Hook URLs often carry a token, so messages about them name the host only.
 */
final class HttpSender implements Sender {
    static final String SIGNATURE_HEADER = "X-Tributary-Signature";
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AlertChannel.Type type;
    private final URI url;
    private final Map<String, String> headers;
    private final String secret;
    private final HttpClient http;
    private final Clock clock;

    HttpSender(AlertChannel.Type type, URI url, Map<String, String> headers, String secret, HttpClient http,
            Clock clock) {
        this.type = type;
        this.url = url;
        this.headers = Map.copyOf(headers);
        this.secret = secret;
        this.http = http;
        this.clock = clock;
    }

    @Override
    public String send(Message message) throws DeliveryFailed {
        URI target = url;
        Map<String, Object> body = new LinkedHashMap<>();
        switch (type) {
            case WEBHOOK -> {
                body.putAll(message.variables());
                body.put("title", message.title());
                body.put("text", message.text());
            }
            case SLACK -> body.put("text", message.text());
            case DINGTALK -> {
                body.put("msgtype", "markdown");
                body.put("markdown", Map.of("title", message.title(), "text", message.text()));
                if (secret != null) {
                    long timestamp = clock.millis();
                    String sign = base64(hmac(secret.getBytes(StandardCharsets.UTF_8),
                            (timestamp + "\n" + secret).getBytes(StandardCharsets.UTF_8)));
                    target = withQuery(url, "timestamp=" + timestamp + "&sign="
                            + URLEncoder.encode(sign, StandardCharsets.UTF_8));
                }
            }
            case WECOM -> {
                body.put("msgtype", "markdown");
                body.put("markdown", Map.of("content", message.text()));
            }
            case LARK -> {
                if (secret != null) {
                    long timestamp = clock.millis() / 1000;
                    body.put("timestamp", String.valueOf(timestamp));
                    body.put("sign", base64(hmac((timestamp + "\n" + secret).getBytes(StandardCharsets.UTF_8),
                            new byte[0])));
                }
                // a card: the title as its header, the text as Lark's Markdown (a text message shows it raw)
                body.put("msg_type", "interactive");
                body.put("card", Map.of(
                        "header", Map.of("title", Map.of("tag", "plain_text", "content", message.title())),
                        "elements", List.of(Map.of("tag", "div",
                                "text", Map.of("tag", "lark_md", "content", message.text())))));
            }
            default -> throw new IllegalStateException("not an HTTP channel: " + type);
        }
        byte[] payload = JSON.writeValueAsBytes(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        headers.forEach(request::header);
        if (type == AlertChannel.Type.WEBHOOK && secret != null) {
            request.header(SIGNATURE_HEADER, "sha256=" + HexFormat.of().formatHex(
                    hmac(secret.getBytes(StandardCharsets.UTF_8), payload)));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DeliveryFailed(type.yamlName() + " " + where() + " cannot be reached: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryFailed("interrupted while sending to " + where(), e);
        }
        String answer = abbreviate(response.body());
        if (response.statusCode() / 100 != 2) {
            throw new DeliveryFailed(where() + " answered HTTP " + response.statusCode() + ": " + answer);
        }
        String refused = refusal(response.body());
        if (refused != null) {
            throw new DeliveryFailed(where() + " refused the message: " + refused);
        }
        return "HTTP " + response.statusCode() + (answer.isEmpty() ? "" : ": " + answer);
    }

    /** DingTalk and WeCom answer {@code errcode}, Lark {@code code} (or {@code StatusCode}); non-zero is a refusal. */
    private String refusal(String body) {
        if (type != AlertChannel.Type.DINGTALK && type != AlertChannel.Type.WECOM && type != AlertChannel.Type.LARK) {
            return null;
        }
        try {
            JsonNode answer = JSON.readTree(body);
            for (String field : new String[] {"errcode", "code", "StatusCode"}) {
                if (answer.has(field) && answer.get(field).asLong() != 0) {
                    return abbreviate(body);
                }
            }
        } catch (RuntimeException e) {
            return null; // not JSON: a 2xx without an error code
        }
        return null;
    }

    /** The scheme and host only: a path or query may carry the hook's token. */
    private String where() {
        return url.getScheme() + "://" + url.getAuthority() + "/…";
    }

    private static URI withQuery(URI uri, String extra) {
        String s = uri.toString();
        return URI.create(s + (uri.getRawQuery() == null ? "?" : "&") + extra);
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String abbreviate(String s) {
        String one = s == null ? "" : s.strip().replaceAll("\\s+", " ");
        return one.length() > 200 ? one.substring(0, 200) + "…" : one;
    }
}
