package io.mycelium.mesh.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.mesh.TestSpores;
import io.mycelium.mesh.spore.Sha256;
import io.mycelium.mesh.spore.Spore;
import io.mycelium.mesh.spore.SporeException;
import io.mycelium.mesh.spore.SporeLimits;
import io.mycelium.mesh.spore.SporeVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SporeRepoTest {
    @TempDir
    Path dir;

    @Test
    void putStoresUnderTheFilesDigestAndPathFindsIt() throws Exception {
        Spore packed = TestSpores.pack(dir, "billing", "1", "#!/bin/sh\n");
        SporeRepo repo = new SporeRepo(dir.resolve("repo"), new SporeVerifier(SporeLimits.DEFAULT));
        Spore stored = repo.put(TestSpores.file(dir, "billing", "1"));
        assertThat(stored.digest())
                .isEqualTo(packed.digest())
                .isEqualTo(Sha256.ofFile(TestSpores.file(dir, "billing", "1")));
        assertThat(repo.path(stored.digest())).contains(dir.resolve("repo").resolve(stored.digest() + ".spore"));
        assertThat(repo.digests()).containsExactly(stored.digest());
        assertThat(repo.path("0".repeat(64))).isEmpty();
        assertThat(repo.path("../../etc/passwd")).isEmpty();
    }

    @Test
    void bytesThatDoNotHashToTheExpectedDigestAreRefusedAndDropped() throws Exception {
        TestSpores.pack(dir, "billing", "1", "#!/bin/sh\n");
        SporeRepo repo = new SporeRepo(dir.resolve("repo"), new SporeVerifier(SporeLimits.DEFAULT));
        Path incoming = repo.incoming();
        Files.copy(TestSpores.file(dir, "billing", "1"), incoming, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String wrong = "a".repeat(64);
        assertThatThrownBy(() -> repo.admit(incoming, wrong, "peer-x"))
                .isInstanceOf(RepoException.DigestMismatch.class)
                .hasMessageContaining("peer-x")
                .hasMessageContaining(wrong);
        assertThat(repo.digests()).isEmpty();
    }

    @Test
    void aSporeThatFailsVerificationNeverEntersTheRepo() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.spore"), "not a zip");
        SporeRepo repo = new SporeRepo(dir.resolve("repo"), new SporeVerifier(SporeLimits.DEFAULT));
        assertThatThrownBy(() -> repo.put(junk)).isInstanceOf(SporeException.Malformed.class);
        assertThat(repo.digests()).isEmpty();
    }
}
