package io.mycelium.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.api.identity.TestPki.Authority;
import io.mycelium.api.identity.TestPki.Issued;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsServerContextTest {
    private static Authority serverCa;
    private static Authority spiffeCa;

    @TempDir
    Path dir;

    @BeforeAll
    static void pki() {
        serverCa = TestPki.rootCa("servers.test");
        spiffeCa = TestPki.rootCa("example.org");
    }

    @Test
    void loadsAnEcKeyAndRequiresClientCertificatesWithMtls() throws IOException {
        Issued server = TestPki.serverCertificate(serverCa, false);
        X509SvidValidator svids =
                new X509SvidValidator(TrustBundles.of(Map.of("example.org", List.of(spiffeCa.certificate))));
        TlsServerContext tls = TlsServerContext.load(
                write("server.pem", TestPki.pem(server.chain())),
                write("server.key", TestPki.pem(server.key())),
                Optional.of(svids),
                TlsServerContext.ClientAuth.REQUIRED);

        SSLEngine engine = tls.newEngine();
        assertThat(engine.getUseClientMode()).isFalse();
        assertThat(engine.getNeedClientAuth()).isTrue();
        assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(tls.connectionContext().isSecure()).isTrue();
    }

    @Test
    void loadsAnRsaKeyForServerOnlyTls() throws IOException {
        Issued server = TestPki.serverCertificate(serverCa, true);
        TlsServerContext tls = TlsServerContext.load(
                write("server.pem", TestPki.pem(server.chain())),
                write("server.key", TestPki.pem(server.key())),
                Optional.empty(),
                TlsServerContext.ClientAuth.NONE);
        SSLEngine engine = tls.newEngine();
        assertThat(engine.getNeedClientAuth()).isFalse();
        assertThat(engine.getWantClientAuth()).isFalse();
    }

    @Test
    void optionalClientAuthAsksWithoutRequiring() throws IOException {
        Issued server = TestPki.serverCertificate(serverCa, false);
        X509SvidValidator svids =
                new X509SvidValidator(TrustBundles.of(Map.of("example.org", List.of(spiffeCa.certificate))));
        SSLEngine engine = TlsServerContext.create(
                        List.of(server.chain()), server.key(), Optional.of(svids), TlsServerContext.ClientAuth.OPTIONAL)
                .newEngine();
        assertThat(engine.getWantClientAuth()).isTrue();
        assertThat(engine.getNeedClientAuth()).isFalse();
    }

    @Test
    void refusesAKeyOfAnotherCertificate() throws IOException {
        Issued server = TestPki.serverCertificate(serverCa, false);
        Issued other = TestPki.serverCertificate(serverCa, false);
        Path cert = write("server.pem", TestPki.pem(server.chain()));
        Path key = write("other.key", TestPki.pem(other.key()));
        assertThatThrownBy(() -> TlsServerContext.load(cert, key, Optional.empty(), TlsServerContext.ClientAuth.NONE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void refusesClientAuthWithoutTrustBundles() {
        Issued server = TestPki.serverCertificate(serverCa, false);
        assertThatThrownBy(() -> TlsServerContext.create(
                        List.of(server.chain()), server.key(), Optional.empty(), TlsServerContext.ClientAuth.REQUIRED))
                .hasMessageContaining("needs trust bundles");
    }

    @Test
    void explainsHowToConvertALegacyOrEncryptedKey() throws IOException {
        Path legacy = write("legacy.key", TestPki.block("EC PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> Pem.readPrivateKey(legacy))
                .hasMessageContaining("legacy 'EC PRIVATE KEY' format")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        Path encrypted = write("encrypted.key", TestPki.block("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> Pem.readPrivateKey(encrypted)).hasMessageContaining("is encrypted");
        Path none = write("none.key", TestPki.pem(serverCa.certificate));
        assertThatThrownBy(() -> Pem.readPrivateKey(none)).hasMessageContaining("no '-----BEGIN PRIVATE KEY-----'");
    }

    @Test
    void readsCertificatesAmidOtherText() throws IOException {
        Issued server = TestPki.serverCertificate(serverCa, false);
        Path file = write(
                "bundle.pem",
                "subject=CN=whatever\n" + TestPki.pem(server.leaf()) + "\n# comment\n"
                        + TestPki.pem(serverCa.certificate) + TestPki.pem(server.key()));
        assertThat(Pem.readCertificates(file)).containsExactly(server.leaf(), serverCa.certificate);
        assertThat(Pem.readPrivateKey(file)).isEqualTo(server.key());
        Path empty = write("empty.pem", "nothing here\n");
        assertThatThrownBy(() -> Pem.readCertificates(empty))
                .hasMessageContaining("has no '-----BEGIN CERTIFICATE-----'");
    }

    @Test
    void loadsTrustBundlesPerTrustDomain() throws IOException {
        Path bundle = write("example.org.pem", TestPki.pem(spiffeCa.certificate));
        TrustBundles bundles = TrustBundles.load(Map.of("example.org", bundle));
        assertThat(bundles.trustDomains()).containsExactly("example.org");
        assertThat(bundles.certificates("example.org")).containsExactly(spiffeCa.certificate);
        assertThat(bundles.certificates("other.org")).isEmpty();
        assertThatThrownBy(() -> TrustBundles.load(Map.of("example.org", dir.resolve("missing.pem"))))
                .hasMessageContaining("cannot load the trust bundle of 'example.org'");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
