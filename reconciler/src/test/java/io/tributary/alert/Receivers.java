package io.tributary.alert;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Local HTTP receivers standing in for a generic webhook, Slack, DingTalk, WeCom and Lark: each path
 * keeps what was posted to it and answers the way the service does. A path can be told to fail its
 * first requests with HTTP 500.
 */
final class Receivers implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();

    record Request(String path, String query, Map<String, List<String>> headers, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final Map<String, List<Request>> received = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failFirst = new ConcurrentHashMap<>();

    Receivers(String... paths) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String path : paths) {
            received.put(path, new CopyOnWriteArrayList<>());
            server.createContext(path, exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                received.get(path).add(new Request(path, exchange.getRequestURI().getRawQuery(),
                        Map.copyOf(exchange.getRequestHeaders()), body));
                AtomicInteger fail = failFirst.get(path);
                int status = fail != null && fail.getAndDecrement() > 0 ? 500 : 200;
                String answer = status == 500 ? "try again later" : switch (path) {
                    case "/dingtalk", "/wecom" -> "{\"errcode\":0,\"errmsg\":\"ok\"}";
                    case "/lark" -> "{\"code\":0,\"msg\":\"success\",\"data\":{}}";
                    case "/slack" -> "ok";
                    default -> "";
                };
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    exchange.getResponseBody().write(bytes);
                }
                exchange.close();
            });
        }
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void failFirst(String path, int times) {
        failFirst.put(path, new AtomicInteger(times));
    }

    List<Request> at(String path) {
        return List.copyOf(received.get(path));
    }

    /** Waits until {@code path} has received at least {@code count} requests, and returns them all. */
    List<Request> await(String path, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (received.get(path).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " received " + received.get(path).size() + " requests, expected "
                        + count + ": " + new ArrayList<>(received.get(path)));
            }
            sleep(20);
        }
        return at(path);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
