package dev.mailer.cli;

import dev.mailer.error.ErrorKind;
import dev.mailer.feedback.Feedback;
import dev.mailer.feedback.FeedbackParser;
import dev.mailer.message.Secrets;
import dev.mailer.message.TokenSigner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "parse", mixinStandardHelpOptions = true,
        description = {"Read feedback messages (.eml files: bounces, complaints, unsubscribe mails, auto-replies) and"
                + " print what each reports, one JSON object per line and per recipient.",
                "Nothing is recorded, no database is opened and nothing is created (not even MAILER_HOME): this shows"
                        + " what 'feedback poll' would make of a message.",
                "Keys: file, type (bounce, complaint, unsubscribe, unknown), recipient, status, action, hard, fault, reason,"
                        + " diagnostic, campaign, contact (campaign and contact only from tokens signed with this"
                        + " installation's secret; without one, they are null and stderr says so once).",
                "A message whose token does not verify gets a line on stderr: '" + Feedback.TOKEN_DOES_NOT_VERIFY + "'."},
        footer = {"", "Examples:",
                "  mailer feedback parse bounce.eml",
                "  mailer feedback parse ~/Maildir/cur/* | jq -c 'select(.hard)'"})
final class FeedbackParseCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(arity = "1..*", paramLabel = "FILE.eml", description = "Messages as saved from a mail client or a Maildir.")
    List<Path> files;

    FeedbackParseCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        FeedbackParser parser = parser();
        boolean unreadable = false;
        for (Path file : files) {
            List<Feedback> found;
            try {
                found = read(parser, file);
            } catch (IOException e) {
                // one bad file does not stop the others; the exit code says something was skipped
                context.err().println("Cannot read " + file + ": " + reason(e) + ".");
                unreadable = true;
                continue;
            }
            for (Feedback feedback : found) {
                context.printJson(json(file, feedback));
            }
            if (found.stream().anyMatch(Feedback::tokenDoesNotVerify)) {
                // on stderr: stdout stays the JSON lines SPEC §7 lists, for jq and scripts
                context.err().println(file + ": " + Feedback.TOKEN_DOES_NOT_VERIFY + ".");
            }
        }
        return unreadable ? ExitCodes.USAGE : 0;
    }

    /**
     * With this installation's secret when there is one; never creates MAILER_HOME or a secret
     * (a fresh secret could verify nothing anyway), and says once that without it campaign and
     * contact cannot be read.
     */
    private FeedbackParser parser() {
        Optional<byte[]> secret = Secrets.loadExisting(context.home(), context.env("MAILER_SECRET"));
        if (secret.isPresent()) {
            return new FeedbackParser(new TokenSigner(secret.get()));
        }
        context.err().println("No secret (MAILER_SECRET is not set and " + context.home().resolve(Secrets.FILE_NAME)
                + " does not exist): campaign and contact cannot be read; the classification still can.");
        return FeedbackParser.withoutSecret();
    }

    private static List<Feedback> read(FeedbackParser parser, Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("it is a directory");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return parser.parse(in);
        }
    }

    private static Map<String, Object> json(Path file, Feedback feedback) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", file.toString());
        out.put("type", feedback.type().json());
        out.put("recipient", feedback.recipient());
        out.put("sentTo", feedback.sentTo());
        out.put("status", feedback.status());
        out.put("action", feedback.action());
        out.put("hard", feedback.hard());
        out.put("diagnostic", feedback.diagnostic());
        out.put("campaign", feedback.campaignId());
        out.put("contact", feedback.contactId());
        var verdict = feedback.verdict();
        out.put("fault", verdict == null ? null : verdict.fault().json());
        out.put("reason", verdict == null ? null : verdict.reason().json());
        return out;
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
