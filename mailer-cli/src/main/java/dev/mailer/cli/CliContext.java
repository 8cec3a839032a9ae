package dev.mailer.cli;

import dev.mailer.engine.Engine;
import dev.mailer.transport.SmtpRelay;
import dev.mailer.error.MailerException;
import dev.mailer.error.SecretMask;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.config.ConfigFile;
import dev.mailer.config.ConfigFileValues;
import dev.mailer.feedback.mailbox.MailboxUrl;
import dev.mailer.message.MessageSettings;
import dev.mailer.message.Secrets;
import dev.mailer.message.TokenSigner;
import dev.mailer.store.Database;
import dev.mailer.store.DatabaseSettings;
import dev.mailer.tls.ExtraTrust;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;

/**
 * What every command shares: the streams, the environment, the merged configuration and the
 * database, opened on first use and closed when the command ends. Configuration is merged here
 * once, in the order flag > environment > config file > default (SPEC §2); the core only ever
 * sees the result.
 */
public final class CliContext implements AutoCloseable {
    /** Environment variables whose values are secrets, or URLs that may hold one. */
    static final List<String> SECRET_VARIABLES = List.of(Credential.DB.variable(), Credential.SMTP.variable(),
            Credential.MAILBOX.variable(), "MAILER_SECRET");
    static final List<String> URL_VARIABLES = List.of("MAILER_DB_URL", "MAILER_SMTP_URL", "MAILER_MAILBOX_URL");

    private final SecretMask secrets;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final InputStream in;
    private final boolean terminal;
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private boolean verbose;
    private String command;
    private DatabaseSettings.Timeouts databaseTimeouts = DatabaseSettings.Timeouts.BATCH;
    private String dbFlag;
    private Path dbPasswordFileFlag;
    private final Map<Credential, Optional<String>> passwords = new EnumMap<>(Credential.class);
    private final Set<Credential> warned = EnumSet.noneOf(Credential.class);
    private Path configFlag;
    private Path homeOverride;
    private ConfigFileValues config;
    private Database database;
    private Engine engine;

    CliContext(PrintStream out, PrintStream err, Map<String, String> env, InputStream in, boolean terminal) {
        this(out, err, env, in, terminal, new SecretMask());
    }

    /**
     * @param secrets where every secret this command comes to know is registered; everything printed
     *                on {@code out} and {@code err} is masked with it
     */
    CliContext(PrintStream out, PrintStream err, Map<String, String> env, InputStream in, boolean terminal,
               SecretMask secrets) {
        this.secrets = secrets;
        this.out = ScrubbedOutput.printStream(out, secrets);
        this.err = ScrubbedOutput.printStream(err, secrets);
        this.env = env;
        this.in = in;
        this.terminal = terminal;
        SECRET_VARIABLES.forEach(name -> secrets.add(env.get(name)));
        URL_VARIABLES.forEach(name -> secrets.addUrl(env.get(name)));
    }

    /** The secrets in play: whatever is printed is masked with them. */
    SecretMask secrets() {
        return secrets;
    }

    /** Registers the passwords of URLs on the command line before anything can print them. */
    void arguments(String[] args) {
        for (String arg : args) {
            secrets.addUrl(arg);
        }
    }

    public PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    InputStream in() {
        return in;
    }

    /** True when a person is at the terminal: progress bars and prompts only then. */
    boolean terminal() {
        return terminal;
    }

    ObjectMapper json() {
        return json;
    }

    boolean verbose() {
        return verbose;
    }

    void verbose(boolean verbose) {
        this.verbose = verbose;
    }

    /** The subcommand being run ("send", "feedback poll" …), for {@code mailer db status}. */
    void command(String command) {
        this.command = command;
    }

    /** For commands that answer requests (serve): a hung database must not hang them. Before the first use. */
    void databaseTimeouts(DatabaseSettings.Timeouts timeouts) {
        this.databaseTimeouts = timeouts;
    }

    void dbFlag(String url) {
        this.dbFlag = url;
        secrets.addUrl(url);
    }

    void dbPasswordFileFlag(Path file) {
        this.dbPasswordFileFlag = file;
    }

    /**
     * A service's password for URLs that name a user without one ({@link Credential}), read once and
     * registered as a secret; null when none is given.
     */
    String password(Credential credential, Path flagFile) {
        Optional<String> password = passwords.get(credential);
        if (password == null) {
            password = Optional.ofNullable(credential.resolve(flagFile, this::env, config()));
            password.ifPresent(secrets::add);
            passwords.put(credential, password);
        }
        return password.orElse(null);
    }

    /** Says once on stderr that a password given with a flag is visible to everyone on the machine. */
    private void warnIfOnCommandLine(Credential credential, List<String> flagValues) {
        boolean visible = flagValues != null
                && flagValues.stream().anyMatch(v -> v != null && !SecretMask.maskUrls(v).equals(v));
        if (visible && warned.add(credential)) {
            err.println(credential.commandLineWarning());
        }
    }

    public void configFlag(Path file) {
        this.configFlag = file;
        this.config = null;
    }

    public String env(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** {@code $MAILER_HOME}, default {@code ~/.mailer}; the demo may point it elsewhere. */
    public Path home() {
        if (homeOverride != null) {
            return homeOverride;
        }
        String home = env("MAILER_HOME");
        return home != null ? Path.of(home) : Path.of(System.getProperty("user.home"), ".mailer");
    }

    public void homeOverride(Path home) {
        this.homeOverride = home;
    }

    /** The config file's values: --config, else ./mailer.yaml when present, else none. */
    public ConfigFileValues config() {
        if (config == null) {
            Path file = configFlag;
            if (file == null && Files.isRegularFile(Path.of("mailer.yaml"))) {
                file = Path.of("mailer.yaml");
            }
            config = file == null ? ConfigFileValues.EMPTY : ConfigFile.read(file);
            secrets.addUrl(config.db());
            config.smtp().forEach(secrets::addUrl);
            secrets.addUrl(config.mailbox());
        }
        return config;
    }

    public DatabaseSettings databaseSettings() {
        String url = first(dbFlag, env("MAILER_DB_URL"), config().db());
        if (url == null) {
            return DatabaseSettings.embedded(home(), env("MAILER_PG_USER")).forCommand(command)
                    .withTimeouts(databaseTimeouts);
        }
        warnIfOnCommandLine(Credential.DB, dbFlag == null ? null : List.of(dbFlag));
        return DatabaseSettings.server(url, env("MAILER_DB_USER"), password(Credential.DB, dbPasswordFileFlag))
                .withTimeouts(databaseTimeouts);
    }

    /** Where campaign templates live: --templates, else the config file's 'templates', else ./templates. */
    public Path templatesDir(Path flag) {
        if (flag != null) {
            return flag;
        }
        String configured = config().templates();
        return Path.of(configured != null ? configured : "templates");
    }

    /**
     * How a campaign's messages are made. With {@code throwAwaySecret} the links are signed with a
     * random key that never leaves memory: a dry run renders them but nobody ever sees them.
     */
    public MessageSettings messageSettings(CampaignSpec campaign, boolean throwAwaySecret) {
        byte[] secret;
        if (throwAwaySecret) {
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
        } else {
            secret = Secrets.load(home(), env("MAILER_SECRET"));
        }
        return MessageSettings.of(campaign.from(), campaign.replyTo(), config(), new TokenSigner(secret));
    }

    /**
     * SMTP relay URLs: --smtp flags, else MAILER_SMTP_URL (comma-separated, split only before a new
     * smtp:// or smtps://, so a comma in a password does not cut it), else the config file.
     */
    List<String> smtpUrls(List<String> flags) {
        if (flags != null && !flags.isEmpty()) {
            return flags;
        }
        String fromEnv = env("MAILER_SMTP_URL");
        if (fromEnv != null) {
            return SmtpRelay.splitList(fromEnv);
        }
        return config().smtp() == null ? List.of() : config().smtp();
    }

    /**
     * The relays to send through, parsed; one clear sentence when none is configured or a URL is
     * wrong (the password masked). A URL that names a user without a password takes the SMTP
     * password ({@link Credential#SMTP}; {@code passwordFile} is --smtp-password-file).
     */
    List<SmtpRelay> smtpRelays(List<String> flags, Path passwordFile) {
        List<String> urls = smtpUrls(flags);
        if (urls.isEmpty()) {
            throw MailerException.usage("No SMTP relay is configured: give --smtp URL, MAILER_SMTP_URL or 'smtp' in"
                    + " mailer.yaml (e.g. smtp://relay.example.com:587?connections=8).");
        }
        warnIfOnCommandLine(Credential.SMTP, flags);
        return urls.stream().map(url -> SmtpRelay.parse(url, () -> password(Credential.SMTP, passwordFile))).toList();
    }

    /** The feedback mailbox URL: --mailbox, else MAILER_MAILBOX_URL, else the config file; null when none. */
    private String mailboxUrl(String flag) {
        return first(flag, env("MAILER_MAILBOX_URL"), config().mailbox());
    }

    /**
     * The feedback mailbox, parsed; a URL that names a user without a password takes the mailbox
     * password ({@link Credential#MAILBOX}; {@code passwordFile} is --mailbox-password-file).
     */
    MailboxUrl mailbox(String flag, Path passwordFile) {
        warnIfOnCommandLine(Credential.MAILBOX, flag == null ? null : List.of(flag));
        return MailboxUrl.parse(mailboxUrl(flag), () -> password(Credential.MAILBOX, passwordFile));
    }

    /**
     * TLS sockets for relays and the mailbox that trust the JVM's authorities plus the PEM bundle
     * of MAILER_TLS_CA, else of 'tls-ca' in mailer.yaml; null (the JVM's alone) when neither is set.
     */
    public SSLSocketFactory tlsSockets() {
        String file = first(env("MAILER_TLS_CA"), config().tlsCa());
        return file == null ? null : ExtraTrust.sockets(Path.of(file));
    }

    /** Signs and checks the tokens in links and addresses with this installation's secret. */
    public TokenSigner tokens() {
        return new TokenSigner(Secrets.load(home(), env("MAILER_SECRET")));
    }

    public Database database() {
        if (database == null) {
            database = Database.open(databaseSettings());
        }
        return database;
    }

    /**
     * The database opened as it is, without applying migrations ({@code db backup} leaves it as it
     * is, {@code db restore} chooses the schema version itself); before any other use of it.
     */
    public Database databaseAsIs() {
        if (database == null) {
            database = Database.openAsIs(databaseSettings());
        }
        return database;
    }

    /** The stages wired to the database (opened, and migrated, on first use). */
    public Engine engine() {
        if (engine == null) {
            engine = new Engine(database());
        }
        return engine;
    }

    /** Who is acting, for the audit log: the OS user and host. */
    public String actor() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return "cli " + System.getProperty("user.name") + "@" + host;
    }

    public void printJson(Object value) {
        try {
            out.println(json.writeValueAsString(value));
        } catch (Exception e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    @SafeVarargs
    static <T> T first(T... values) {
        for (T value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            if (database != null) {
                database.close();
                database = null;
            }
        } finally {
            out.flush();
            err.flush();
        }
    }
}
