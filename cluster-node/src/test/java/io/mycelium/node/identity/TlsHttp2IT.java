package io.mycelium.node.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mycelium.api.identity.TestPki;
import io.mycelium.api.identity.TestPki.Authority;
import io.mycelium.api.identity.TestPki.Issued;
import io.mycelium.node.Node;
import io.mycelium.node.grpc.v1.ExecId;
import io.mycelium.node.grpc.v1.ExecRequest;
import io.mycelium.node.grpc.v1.RemoteExecutionClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose admin port serves mTLS: HTTP/2 is negotiated by ALPN, and over it both a gRPC client and the JDK's
 * HttpClient (which picks h2 by default) are identified by their SPIFFE certificates, as over HTTP/1.1.
 */
class TlsHttp2IT {
    private static final String DEPLOYER = "spiffe://example.org/ci/deployer";

    @TempDir
    Path dir;

    private Node node;
    private ActorSystem<Void> clientSystem;
    private RemoteExecutionClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (clientSystem != null) {
            clientSystem.terminate();
            clientSystem.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.stop().toCompletableFuture().get();
        }
    }

    @Test
    void grpcAndHttp2ClientsAreIdentifiedByTheirSpiffeCertificates() throws Exception {
        Authority spiffeCa = TestPki.rootCa("example.org");
        Authority serverCa = TestPki.rootCa("servers.test");
        Issued server = TestPki.serverCertificate(serverCa, false);
        Path cert = Files.writeString(dir.resolve("server.pem"), TestPki.pem(server.chain()));
        Path key = Files.writeString(dir.resolve("server.key"), TestPki.pem(server.key()));
        Path bundle = Files.writeString(dir.resolve("example.org.pem"), TestPki.pem(spiffeCa.certificate));
        node = Node.start(ConfigFactory.parseString("""
                        mycelium.data-dir = "%s"
                        mycelium.node.http.port = 0
                        mycelium.node.identity.tls {
                          enabled = on
                          certificate = "%s"
                          private-key = "%s"
                          trust-bundles { "example.org" = "%s" }
                          client-auth = required
                        }
                        mycelium.node.policies = [{name = deployers, principals = ["%s"], allowedCommands = ["echo *"]}]
                        """.formatted(dir.resolve("data"), cert, key, bundle, DEPLOYER))
                .withFallback(ConfigFactory.load()));
        int port = node.httpAddress().getPort();
        SSLContext tls = sslContext(serverCa, spiffeCa.leaf(DEPLOYER).issue());

        clientSystem = ActorSystem.create(
                Behaviors.empty(),
                "grpc-tls-client",
                ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
        client = RemoteExecutionClient.create(
                GrpcClientSettings.connectToServiceAt("localhost", port, clientSystem)
                        .withSslContext(tls),
                clientSystem);
        var response = client.execute(ExecRequest.newBuilder()
                        .setId("tls-1")
                        .setAgentId("local")
                        .addAllCommand(List.of("echo", "over", "h2"))
                        .build())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(response.getStdout().toStringUtf8()).isEqualTo("over h2\n");
        assertThat(client.status(ExecId.newBuilder().setId("tls-1").build())
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS)
                        .getRequestedBy())
                .isEqualTo(DEPLOYER);
        try {
            client.execute(ExecRequest.newBuilder()
                            .setAgentId("local")
                            .addCommand("id")
                            .build())
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            throw new AssertionError("id is not allowed for the deployer");
        } catch (ExecutionException e) {
            assertThat(((StatusRuntimeException) e.getCause()).getStatus().getCode())
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
        }

        try (HttpClient http = HttpClient.newBuilder().sslContext(tls).build()) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> status = http.send(
                        HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/v1/exec/tls-1"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(status.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
                assertThat(new ObjectMapper()
                                .readTree(status.body())
                                .get("requestedBy")
                                .asText())
                        .isEqualTo(DEPLOYER);
            }
        }
    }

    /** Trusts the server's CA and presents the client's SVID. */
    private static SSLContext sslContext(Authority serverCa, Issued svid) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server-ca", serverCa.certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("svid", svid.key(), new char[0], svid.chain());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
