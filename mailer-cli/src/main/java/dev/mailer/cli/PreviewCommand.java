package dev.mailer.cli;

import dev.mailer.campaign.CampaignFileParser;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.campaign.Preview;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "preview", mixinStandardHelpOptions = true,
        description = {"Write the exact message one contact would get (RFC 5322 .eml), or its rendered HTML.",
                "Nothing is sent. The campaign is registered so that the links in the preview work."},
        footer = {"", "Examples:",
                "  mailer preview examples/newsletter.yaml --to anna@example.pl --out anna.eml",
                "  mailer preview examples/newsletter.yaml --to anna@example.pl --html --out anna.html"})
final class PreviewCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "CAMPAIGN.yaml", description = "The campaign file.")
    Path campaignFile;

    @Option(names = "--to", required = true, paramLabel = "EMAIL", description = "The contact to preview for.")
    String to;

    @Option(names = "--out", paramLabel = "FILE", description = "Write here instead of to standard output.")
    Path out;

    @Option(names = "--html", description = "Write the rendered HTML part instead of the whole message.")
    boolean html;

    @Option(names = "--name", paramLabel = "NAME", description = "Campaign name, overriding the file's 'name'.")
    String name;

    @Option(names = "--templates", paramLabel = "DIR", description = "Templates directory (default ./templates).")
    Path templates;

    PreviewCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        CampaignSpec spec = new CampaignFileParser().parse(campaignFile, LocalDate.now(), name);
        Preview.Result result = new Preview(context.engine().campaignPorts())
                .of(spec, context.messageSettings(spec, false), context.templatesDir(templates), to);
        byte[] bytes = html ? result.rendered().html().getBytes(StandardCharsets.UTF_8) : result.message().bytes();
        if (out != null) {
            Files.write(out, bytes);
            context.err().printf("Wrote %s (%d bytes; envelope sender %s).%n", out, bytes.length,
                    result.message().envelopeFrom());
        } else {
            OutputStream stdout = context.out();
            stdout.write(bytes);
            stdout.flush();
        }
        if (result.reason() != null) {
            context.err().printf("Note: the consent gate excludes this contact (%s); a send would not mail them.%n",
                    result.reason());
        }
        return 0;
    }
}
