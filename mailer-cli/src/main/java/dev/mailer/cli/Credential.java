package dev.mailer.cli;

import dev.mailer.config.ConfigFileValues;
import dev.mailer.config.PasswordFile;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The passwords that need not stand on a command line (where {@code ps} and /proc show them to
 * everyone on the machine). One scheme for each service whose URL names a user without a password:
 * flag {@code --X-password-file FILE} > environment {@code MAILER_X_PASSWORD} or
 * {@code MAILER_X_PASSWORD_FILE} > {@code X-password-file} in mailer.yaml. A password written in the
 * URL itself is used as written.
 */
enum Credential {
    DB("database", "db"),
    SMTP("SMTP", "smtp"),
    MAILBOX("mailbox", "mailbox");

    private final String what;
    private final String key;

    Credential(String what, String key) {
        this.what = what;
        this.key = key;
    }

    /** The flag naming a password file, e.g. {@code --smtp-password-file}. */
    String flag() {
        return "--" + key + "-password-file";
    }

    /** The environment variable holding the password, e.g. {@code MAILER_SMTP_PASSWORD}. */
    String variable() {
        return "MAILER_" + name() + "_PASSWORD";
    }

    /** The environment variable naming a password file, e.g. {@code MAILER_SMTP_PASSWORD_FILE}. */
    String fileVariable() {
        return variable() + "_FILE";
    }

    /** The mailer.yaml key naming a password file, e.g. {@code smtp-password-file}. */
    String key() {
        return key + "-password-file";
    }

    /** The URL flag whose password would be visible on the command line, e.g. {@code --smtp}. */
    String urlFlag() {
        return "--" + key;
    }

    /**
     * The password by the scheme above, or null when none is given.
     *
     * @param flagFile the {@link #flag()} given to this command, or null
     * @param env      the environment (blank counts as not set)
     * @throws MailerException (config) when a file cannot be read, or both variables are set
     */
    String resolve(Path flagFile, Function<String, String> env, ConfigFileValues config) {
        if (flagFile != null) {
            return PasswordFile.read(flagFile, what, flag());
        }
        String password = env.apply(variable());
        String file = env.apply(fileVariable());
        if (password != null && file != null) {
            throw MailerException.of(ErrorKind.CONFIG, "Both " + variable() + " and " + fileVariable()
                    + " are set; give the " + what + " password one way only.");
        }
        if (password != null) {
            return password;
        }
        if (file != null) {
            return PasswordFile.read(Path.of(file), what, fileVariable());
        }
        String configured = configured(config.passwordFiles());
        return configured == null ? null
                : PasswordFile.read(Path.of(configured), what, key() + " in " + configFileName(config));
    }

    private String configured(ConfigFileValues.PasswordFiles files) {
        return switch (this) {
            case DB -> files.db();
            case SMTP -> files.smtp();
            case MAILBOX -> files.mailbox();
        };
    }

    private static String configFileName(ConfigFileValues config) {
        return config.file() == null || config.file().getFileName() == null ? "mailer.yaml"
                : config.file().getFileName().toString();
    }

    /** One sentence for stderr when a password was given on the command line after all. */
    String commandLineWarning() {
        return "mailer: warning: the password in " + urlFlag() + " can be read by anyone on this machine while mailer"
                + " runs (ps, /proc); give it with " + variable() + " or " + key() + " in mailer.yaml instead.";
    }
}
