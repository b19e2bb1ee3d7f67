package io.mycelium.testhosts;

/**
 * The test-host images that {@code docker/build.sh} builds locally (there is no registry to pull them from). Each runs
 * sshd for the user {@code mycelium} on its own loopback address; they differ in what else is installed and in how
 * {@link TestHost} runs them by default ({@link TestHost.Options#defaults(TestHostImage)}).
 */
public enum TestHostImage {
    /** Debian bookworm with sshd, Java 17, sudo, doas and perl; writable root. */
    DEBIAN_MIN("mycelium/debian_min"),
    /** No Java; runs with a read-only root, a 256 MiB memory limit and an exec-able tmpfs on {@code /dev/shm}. */
    DEBIAN_RO("mycelium/debian_ro"),
    /** sshd and the ssh client, no Java: the hop in front of hosts started with {@code allowFrom}. */
    BASTION("mycelium/bastion"),
    /** A plain writable host without Java. */
    NOJAVA("mycelium/nojava");

    private final String repository;

    TestHostImage(String repository) {
        this.repository = repository;
    }

    /** The image's repository name, such as {@code mycelium/debian_min}. */
    public String repository() {
        return repository;
    }

    /** The image reference {@link TestHost} runs: the repository with the {@code latest} tag. */
    public String imageName() {
        return repository + ":latest";
    }
}
