package io.tributary.source;

import io.tributary.store.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tributary.source.SourceException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A token over Git's smart HTTP protocol, against a small server on the JDK's HttpServer that
 * answers {@code info/refs} and {@code git-upload-pack} with JGit's UploadPack and wants HTTP basic
 * authentication, as GitHub and GitLab do. Plain http on the loopback address: TLS is the JDK's.
 * Every log line of JGit and the source, at every level, is checked for the token.
 */
class HttpTokenSourceIT {
    private static final String TOKEN = "glpat-T0pS3cretValue123";
    private static final List<String> LOGGERS = List.of("org.eclipse.jgit", "io.tributary.source");

    @TempDir
    static Path shared;

    private static TestGit remote;
    private static HttpServer server;
    private static String base;
    private static final List<String> authorizations = new CopyOnWriteArrayList<>();
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    @BeforeAll
    static void startServer() throws Exception {
        remote = TestGit.init(shared.resolve("remote"), "main");
        remote.write("apps.yaml", "over http").commit("first over http");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/acme/config.git/", HttpTokenSourceIT::serve);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();

        logs.start();
        for (String name : LOGGERS) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            logger.setLevel(Level.TRACE);
            logger.setAdditive(false);
            logger.addAppender(logs);
        }
    }

    @AfterAll
    static void stopServer() {
        for (String name : LOGGERS) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            logger.detachAppender(logs);
            logger.setLevel(null);
            logger.setAdditive(true);
        }
        if (server != null) {
            server.stop(0);
        }
        if (remote != null) {
            remote.close();
        }
    }

    private ConfigSource open(String url, Credentials credentials) {
        return ConfigSource.open(new SourceSpec(url, "main", null, credentials), tmp.resolve("work"), clock);
    }

    @Test
    void fetchesWithTheTokenAsBasicAuthentication() throws Exception {
        try (ConfigSource source = open(base + "/acme/config.git", new Credentials.Token(TOKEN))) {
            Checkout first = source.fetch();
            assertThat(first.revision().message()).isEqualTo("first over http");
            assertThat(GitSourceTest.files(first.root())).containsExactly(Map.entry("apps.yaml", "over http"));
            assertThat(authorizations).contains("Basic " + Base64.getEncoder()
                    .encodeToString((Credentials.Token.USER_NAME + ":" + TOKEN).getBytes(StandardCharsets.UTF_8)));

            RevCommit next = remote.write("apps.yaml", "changed").commit("second over http");
            assertThat(source.fetch().revision().name()).isEqualTo("main@sha1:" + next.name());
            assertThat(source.describe()).isEqualTo("git " + base + "/acme/config.git ref=main auth=token");
        }
        assertNoTokenLogged();
    }

    @Test
    void withoutATokenThePrivateRepositoryIsAnAuthenticationError() {
        try (ConfigSource source = open(base + "/acme/config.git", null)) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.AUTHENTICATION))
                    .hasMessage(base + "/acme/config.git refused the credentials; the repository needs credentials: "
                            + "a token for https, an SSH key for ssh");
        }
    }

    @Test
    void aWrongTokenIsAnAuthenticationErrorThatDoesNotShowIt() {
        String wrong = "glpat-WrongWrongWrong999";
        try (ConfigSource source = open(base + "/acme/config.git", new Credentials.Token(wrong))) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.AUTHENTICATION))
                    .hasMessage(base + "/acme/config.git refused the credentials; check that the token is valid, "
                            + "not expired and allowed to read the repository")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
        }
        assertNoTokenLogged(wrong);
    }

    @Test
    void aMissingRepositoryIsUnreachable() {
        try (ConfigSource source = open(base + "/acme/gone.git", new Credentials.Token(TOKEN))) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.UNREACHABLE))
                    .hasMessage("cannot reach " + base + "/acme/gone.git: no Git repository there; check the URL");
        }
        assertNoTokenLogged();
    }

    private static void assertNoTokenLogged(String... others) {
        assertThat(logs.list).as("log events were captured").isNotEmpty();
        for (ILoggingEvent event : logs.list) {
            StringBuilder text = new StringBuilder(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                text.append('\n').append(t.getMessage());
            }
            assertThat(text.toString()).doesNotContain(TOKEN);
            for (String other : others) {
                assertThat(text.toString()).doesNotContain(other);
            }
        }
    }

    private static void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                authorizations.add(authorization);
            }
            String expected = "Basic " + Base64.getEncoder()
                    .encodeToString((Credentials.Token.USER_NAME + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(authorization)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            UploadPack pack = new UploadPack(remote.git.getRepository());
            pack.setBiDirectionalPipe(false);
            String protocol = exchange.getRequestHeaders().getFirst("Git-Protocol");
            if (protocol != null) {
                pack.setExtraParameters(List.of(protocol.split(":")));
            }
            if (path.equals("/acme/config.git/info/refs") && "service=git-upload-pack".equals(exchange.getRequestURI().getQuery())) {
                exchange.getResponseHeaders().add("Content-Type", "application/x-git-upload-pack-advertisement");
                exchange.getResponseHeaders().add("Cache-Control", "no-cache");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                PacketLineOut packets = new PacketLineOut(out);
                packets.writeString("# service=git-upload-pack\n");
                packets.end();
                pack.sendAdvertisedRefs(new RefAdvertiser.PacketLineOutRefAdvertiser(packets));
                out.flush();
            } else if (path.equals("/acme/config.git/git-upload-pack") && "POST".equals(exchange.getRequestMethod())) {
                InputStream in = exchange.getRequestBody();
                if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    in = new GZIPInputStream(in);
                }
                exchange.getResponseHeaders().add("Content-Type", "application/x-git-upload-pack-result");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                pack.upload(in, out, null);
                out.flush();
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }
}
