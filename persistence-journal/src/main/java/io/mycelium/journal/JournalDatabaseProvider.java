package io.mycelium.journal;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.DefaultSlickDatabaseProvider;
import org.apache.pekko.persistence.jdbc.db.LazySlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickDatabaseProvider;

/**
 * pekko-persistence-jdbc's database provider (set as {@code pekko-persistence-jdbc.database-provider-fqcn}) with one
 * more shared database, {@value #SHARED_DATABASE}, built from {@code mycelium.journal} ({@link JournalSettings}).
 *
 * <p>The journal, the snapshot store and the read journal name it in {@code use-shared-db}, so they share one
 * connection pool, closed when the actor system terminates. It exists because pekko-persistence-jdbc's own shared
 * databases take the Slick profile as a separate key: here the profile and driver follow from
 * {@code mycelium.journal.kind}, so switching a node to PostgreSQL is {@code kind} and {@code url}, nothing else.
 * Plugins that name another shared database, or none, get what pekko-persistence-jdbc would give them.
 */
public final class JournalDatabaseProvider implements SlickDatabaseProvider {
    /** The name the journal plugins give in {@code use-shared-db}. */
    public static final String SHARED_DATABASE = "mycelium";

    private final JournalSettings settings;
    private final SlickDatabase journalDatabase;
    private final SlickDatabaseProvider fallback;

    /**
     * Made by pekko-persistence-jdbc (it looks for this constructor) when the first journal plugin starts.
     *
     * @throws IllegalArgumentException when {@code mycelium.journal} is invalid
     */
    public JournalDatabaseProvider(ActorSystem system) {
        this.settings = JournalSettings.fromConfig(system.settings().config());
        // Lazy: the pool connects on first use, and the system's termination closes it.
        this.journalDatabase = new LazySlickDatabase(settings.slickConfig(), system);
        this.fallback = new DefaultSlickDatabaseProvider(system);
    }

    /** The settings the shared database was built from. */
    public JournalSettings settings() {
        return settings;
    }

    /** The shared journal database when {@code pluginConfig} says {@code use-shared-db = mycelium}. */
    @Override
    public SlickDatabase database(Config pluginConfig) {
        if (pluginConfig.hasPath("use-shared-db") && SHARED_DATABASE.equals(pluginConfig.getString("use-shared-db"))) {
            return journalDatabase;
        }
        return fallback.database(pluginConfig);
    }
}
