package io.mycelium.node.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mycelium.api.identity.AdminSecurity;
import io.mycelium.api.identity.AuthDirectives;
import io.mycelium.api.identity.BearerTokens;
import io.mycelium.api.identity.IdentitySettings;
import io.mycelium.api.identity.SpiffeTrustManager;
import io.mycelium.api.identity.TestPki;
import io.mycelium.api.identity.TestPki.Authority;
import io.mycelium.api.identity.TestPki.Issued;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A real Pekko HTTP server on 127.0.0.1 with {@link TlsServerContext} and {@link AuthDirectives}, whose route echoes
 * the principal, called by {@link HttpClient} and raw {@link SSLSocket}s.
 */
class AdminServerIdentityTest {
    private static final String DEPLOYER = "spiffe://example.org/ci/deployer";
    private static final String TOKEN = "ci-token-0123456789";
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    static Path dir;

    private static ActorTestKit testKit;
    private static Authority spiffeCa;
    private static Authority serverCa;
    private static final AtomicInteger reached = new AtomicInteger();

    private static int mtlsRequiredPort;
    private static int mtlsOptionalPort;
    private static int plainPort;
    private static int plainNoLocalPort;
    private static int plainDefaultSettingsPort;

    @BeforeAll
    static void start() throws Exception {
        // An explicit config: ActorTestKit.create(name) would not read one, and the test must not depend on the
        // node's own application.conf.
        Config config = ConfigFactory.parseString("""
                        pekko.actor.provider = local
                        pekko.loglevel = WARNING
                        pekko.http.server.request-timeout = 10s
                        """)
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        testKit = ActorTestKit.create("AdminServerIdentityTest", config);

        spiffeCa = TestPki.rootCa("example.org");
        serverCa = TestPki.rootCa("servers.test");
        Issued server = TestPki.serverCertificate(serverCa, false);
        Path cert = Files.writeString(dir.resolve("server.pem"), TestPki.pem(server.chain()));
        Path key = Files.writeString(dir.resolve("server.key"), TestPki.pem(server.key()));
        Path bundle = Files.writeString(dir.resolve("example.org.pem"), TestPki.pem(spiffeCa.certificate));

        String tls = """
                tls {
                  enabled = on
                  certificate = "%s"
                  private-key = "%s"
                  trust-bundles { "example.org" = "%s" }
                  client-auth = %%s
                }
                """.formatted(cert, key, bundle);
        String tokens = "tokens = [ { principal = ci, sha256 = \"" + BearerTokens.sha256Hex(TOKEN) + "\" } ]";

        mtlsRequiredPort = bind(security(tls.formatted("required") + tokens), true);
        mtlsOptionalPort = bind(security(tls.formatted("optional") + tokens), true);
        plainPort = bind(security(tokens), true);
        plainNoLocalPort = bind(security(tokens + "\nlocal-principal = off"), true);
        plainDefaultSettingsPort = bind(security(tokens), false);
    }

    @AfterAll
    static void stop() {
        if (testKit != null) {
            testKit.shutdownTestKit();
        }
    }

    @Test
    void aSpiffeClientCertificateIsAcceptedAndItsIdIsThePrincipal() throws Exception {
        Issued svid = spiffeCa.leaf(DEPLOYER).issue();
        try (HttpClient client = client(Optional.of(svid))) {
            HttpResponse<String> response = client.send(get(mtlsRequiredPort), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("SPIFFE " + DEPLOYER);
        }
    }

    /**
     * Refused in the TLS handshake, not with a 401: {@link SpiffeTrustManager} throws in {@code checkClientTrusted},
     * which logs the rule broken. In TLS 1.3 the client finishes its side of the handshake before the server has
     * checked its certificate, so the HTTP client sees the refusal as an I/O error on its first exchange; no request
     * reaches the route.
     */
    @Test
    void aCertificateWithTwoUriSansIsRefusedInTheHandshake() throws Exception {
        Issued twoSans = spiffeCa.leaf(DEPLOYER, "spiffe://example.org/admin").issue();
        int before = reached.get();
        try (TrustManagerLog log = new TrustManagerLog();
                HttpClient client = client(Optional.of(twoSans))) {
            assertThatThrownBy(() -> client.send(get(mtlsRequiredPort), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
            log.awaitMessage(
                    "TLS client certificate refused: certificate has 2 URI SANs; an X.509-SVID has exactly one");
        }
        assertThat(reached.get()).isEqualTo(before);
    }

    /**
     * With TLS 1.2 the server checks the client certificate before its own Finished, so the client's handshake
     * itself fails: with the server's alert, or with a broken pipe or reset when Pekko closes the connection after
     * the alert while the client is still writing its last handshake messages. The same certificate with one URI
     * SAN completes the handshake, so the refusal is the SAN rule.
     */
    @Test
    void aCertificateWithTwoUriSansFailsTheTls12Handshake() throws Exception {
        Issued twoSans = spiffeCa.leaf(DEPLOYER, "spiffe://example.org/admin").issue();
        try (TrustManagerLog log = new TrustManagerLog();
                SSLSocket socket = tls12Socket(twoSans)) {
            assertThatThrownBy(() -> {
                        socket.startHandshake();
                        // If the alert raced the end of our handshake, the first read surfaces it.
                        socket.getInputStream().read();
                    })
                    .isInstanceOf(IOException.class);
            log.awaitMessage("certificate has 2 URI SANs");
        }
        try (SSLSocket socket = tls12Socket(spiffeCa.leaf(DEPLOYER).issue())) {
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(socket.getSession().getLocalCertificates()).hasSize(1);
        }
    }

    @Test
    void aClientWithoutCertificateIsRefusedWhenMtlsIsRequired() {
        int before = reached.get();
        try (HttpClient client = client(Optional.empty())) {
            // Even with a valid token: client-auth = required means no certificate, no connection.
            assertThatThrownBy(() -> client.send(
                            httpsGet(mtlsRequiredPort)
                                    .header("Authorization", "Bearer " + TOKEN)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
        assertThat(reached.get()).isEqualTo(before);
    }

    @Test
    void withOptionalMtlsATokenClientConnectsButNeverAsTheLocalUser() throws Exception {
        try (HttpClient client = client(Optional.empty())) {
            HttpResponse<String> withToken = client.send(
                    httpsGet(mtlsOptionalPort)
                            .header("Authorization", "Bearer " + TOKEN)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(withToken.statusCode()).isEqualTo(200);
            assertThat(withToken.body()).isEqualTo("TOKEN ci");

            HttpResponse<String> bare = client.send(get(mtlsOptionalPort), HttpResponse.BodyHandlers.ofString());
            assertThat(bare.statusCode()).isEqualTo(401);
        }
        Issued svid = spiffeCa.leaf(DEPLOYER).issue();
        try (HttpClient client = client(Optional.of(svid))) {
            assertThat(client.send(get(mtlsOptionalPort), HttpResponse.BodyHandlers.ofString())
                            .body())
                    .isEqualTo("SPIFFE " + DEPLOYER);
        }
    }

    @Test
    void aBearerTokenOverPlainHttpOnLoopbackIsTheTokenPrincipal() throws Exception {
        try (HttpClient client = plainClient()) {
            HttpResponse<String> response = client.send(
                    plainGet(plainPort)
                            .header("Authorization", "Bearer " + TOKEN)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("TOKEN ci");
        }
    }

    @Test
    void noCredentialsOnLoopbackIsTheLocalUser() throws Exception {
        try (HttpClient client = plainClient()) {
            HttpResponse<String> response =
                    client.send(plainGet(plainPort).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("LOCAL " + System.getProperty("user.name"));
        }
    }

    @Test
    void aWrongTokenOnLoopbackIsRefusedRatherThanTreatedAsLocal() throws Exception {
        try (HttpClient client = plainClient()) {
            HttpResponse<String> response = client.send(
                    plainGet(plainPort).header("Authorization", "Bearer wrong").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(json(response).get("message").asText()).contains("bearer token is not recognised");
        }
    }

    @Test
    void withLocalPrincipalOffNoCredentialsIs401Json() throws Exception {
        try (HttpClient client = plainClient()) {
            HttpResponse<String> response =
                    client.send(plainGet(plainNoLocalPort).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            JsonNode body = json(response);
            assertThat(body.get("code").asText()).isEqualTo("unauthenticated");
            assertThat(body.get("message").asText())
                    .isEqualTo("authentication required: send 'Authorization: Bearer <token>'");
            assertThat(body.get("details").isObject()).isTrue();
            assertThat(body.get("details").size()).isZero();
            assertThat(body.size()).isEqualTo(3);
        }
    }

    /** Without {@link AuthDirectives#serverSettings} the client address is unknown: the local user is not granted. */
    @Test
    void withoutTheRemoteAddressAttributeTheLocalUserIsNotGranted() throws Exception {
        try (HttpClient client = plainClient()) {
            HttpResponse<String> response = client.send(
                    plainGet(plainDefaultSettingsPort)
                            .header("X-Forwarded-For", "127.0.0.1")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
        }
    }

    // --- server ---

    private static AdminSecurity security(String identity) throws IOException {
        Config config = ConfigFactory.parseString("mycelium.node.identity {\n" + identity + "\n}")
                .withFallback(ConfigFactory.parseResources("mycelium-identity.conf"))
                .resolve();
        return AdminSecurity.load(IdentitySettings.fromConfig(config), LOOPBACK);
    }

    private static int bind(AdminSecurity security, boolean withIdentitySettings) throws Exception {
        Route route = AuthDirectives.authenticated(security.authenticator(), principal -> {
            reached.incrementAndGet();
            return Directives.complete(principal.kind() + " " + principal.name());
        });
        ServerBuilder builder = Http.get(testKit.system()).newServerAt(LOOPBACK.getHostAddress(), 0);
        if (withIdentitySettings) {
            builder = builder.adaptSettings(AuthDirectives::serverSettings);
        }
        if (security.tls().isPresent()) {
            builder = builder.enableHttps(security.tls().get().connectionContext());
        }
        ServerBinding binding = builder.bind(route).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return binding.localAddress().getPort();
    }

    // --- clients ---

    private static HttpRequest get(int port) {
        return httpsGet(port).build();
    }

    private static HttpRequest.Builder httpsGet(int port) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/whoami"))
                .timeout(Duration.ofSeconds(10));
    }

    private static HttpRequest.Builder plainGet(int port) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/whoami"))
                .timeout(Duration.ofSeconds(10));
    }

    private static HttpClient plainClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static HttpClient client(Optional<Issued> certificate) {
        return HttpClient.newBuilder()
                .sslContext(sslContext(certificate))
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Trusts the test server CA; presents {@code certificate} if given. */
    private static SSLContext sslContext(Optional<Issued> certificate) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server-ca", serverCa.certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            KeyManager[] keyManagers = certificate
                    .map(c -> new KeyManager[] {new FixedKeyManager(c)})
                    .orElse(new KeyManager[0]);
            context.init(keyManagers, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLSocket tls12Socket(Issued certificate) throws IOException {
        SSLSocket socket = (SSLSocket)
                sslContext(Optional.of(certificate)).getSocketFactory().createSocket(LOOPBACK, mtlsRequiredPort);
        socket.setEnabledProtocols(new String[] {"TLSv1.2"});
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return new ObjectMapper().readTree(response.body());
    }

    /** Records what {@link SpiffeTrustManager} logs (the handshake alert itself carries no reason). */
    private static final class TrustManagerLog implements AutoCloseable {
        private final ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(SpiffeTrustManager.class);
        private final Level level = logger.getLevel();
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        TrustManagerLog() {
            appender.start();
            logger.addAppender(appender);
            logger.setLevel(Level.WARN);
        }

        /** Waits for the message: the server logs on its own thread, which may lag the client's failure. */
        void awaitMessage(String part) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                synchronized (appender) {
                    if (appender.list.stream()
                            .anyMatch(e -> e.getFormattedMessage().contains(part))) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
            synchronized (appender) {
                assertThat(appender.list)
                        .extracting(ILoggingEvent::getFormattedMessage)
                        .anyMatch(m -> m.contains(part));
            }
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
            logger.setLevel(level);
        }
    }

    /**
     * Always presents the one certificate, whatever issuers the server lists: the JDK's own key manager would
     * withhold a certificate whose issuer the server did not name, and the tests must control what is sent.
     */
    private static final class FixedKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "client";
        private final Issued issued;

        FixedKeyManager(Issued issued) {
            this.issued = issued;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return issued.chain().clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return issued.key();
        }
    }
}
