package dev.mailer.cli.demo;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import dev.mailer.audience.GateRules;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.cli.CliContext;
import dev.mailer.cli.FeedbackPollCommand;
import dev.mailer.feedback.FeedbackParser;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.suppression.SoftBouncePolicy;
import dev.mailer.feedback.http.FeedbackServer;
import dev.mailer.feedback.http.ServerSettings;
import dev.mailer.feedback.mailbox.MailboxPoller;
import dev.mailer.feedback.mailbox.MailboxUrl;
import dev.mailer.feedback.mailbox.PollSummary;
import dev.mailer.audience.ConsentGate;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's second half: feedback comes back. The demo writes (and says so) what receiving
 * systems would send for a few of the messages that really went out: two bounces, a spam
 * complaint, a mailto unsubscribe and an out-of-office reply. They land in the bounce mailbox on
 * the embedded mail server; {@code feedback poll} reads it over IMAP, and one more person
 * unsubscribes with one click through {@code mailer serve}. Then the gate shows why each is
 * excluded now.
 */
final class DemoFeedbackLoop {
    private static final String MAILBOX_PASSWORD = "demo-only";
    private static final Pattern HTTPS_LINK = Pattern.compile("<(https://[^>]+)>");
    private static final Pattern MAILTO_LINK = Pattern.compile("<mailto:([^>]+)>");

    private final CliContext context;
    private final CampaignSpec campaign;
    private final GreenMail mailServer;
    private final PrintStream out;

    DemoFeedbackLoop(CliContext context, CampaignSpec campaign, GreenMail mailServer) {
        this.context = context;
        this.campaign = campaign;
        this.mailServer = mailServer;
        this.out = context.out();
    }

    /** A message that went out, as the demo needs it. */
    private record Sent(String recipient, String verp, String headers, String unsubscribeUrl, String mailto) {
    }

    /** @return the people the loop touched, with what happened to them */
    Map<String, String> run(int step) throws MessagingException, IOException, InterruptedException {
        List<Sent> sent = sample(6);
        if (sent.size() < 6) {
            out.println("   (too few messages went out to show the feedback loop)");
            return Map.of();
        }
        String bounceAddress = context.config().bounceAddress().normalized();
        GreenMailUser mailbox = mailServer.setUser(bounceAddress, bounceAddress, MAILBOX_PASSWORD);
        Map<String, String> touched = new LinkedHashMap<>();

        out.println();
        out.printf("%d. Feedback arrives. The demo writes these five mails itself, as receiving systems would, into%n"
                + "   the bounce mailbox %s on the embedded mail server:%n", step, bounceAddress);
        deliver(mailbox, SimulatedFeedback.hardBounce(sent.get(0).verp(), sent.get(0).recipient(), sent.get(0).headers()),
                touched, sent.get(0).recipient(), "hard bounce: 550 5.1.1 user unknown (RFC 3464 report, Postfix style)");
        deliver(mailbox, SimulatedFeedback.softBounce(sent.get(1).verp(), sent.get(1).recipient(), sent.get(1).headers()),
                touched, sent.get(1).recipient(), "soft bounce: 552 5.2.2 mailbox full");
        deliver(mailbox, SimulatedFeedback.complaint(sent.get(2).recipient(), sent.get(2).headers()),
                touched, sent.get(2).recipient(), "spam complaint (RFC 5965 ARF report from a mailbox provider)");
        deliver(mailbox, SimulatedFeedback.unsubscribeMail(sent.get(3).recipient(), sent.get(3).mailto()),
                touched, sent.get(3).recipient(), "unsubscribe by mail to the List-Unsubscribe mailto address");
        deliver(mailbox, SimulatedFeedback.autoReply(sent.get(4).recipient(), campaign.from().address().address(),
                "newsletter"), touched, sent.get(4).recipient(), "out-of-office auto-reply (not a bounce)");

        out.println();
        MailboxUrl url = MailboxUrl.parse("imap://" + bounceAddress.replace("@", "%40") + ":" + MAILBOX_PASSWORD
                + "@127.0.0.1:" + mailServer.getImap().getPort() + "/INBOX?tls=none");
        out.printf("%d. mailer feedback poll --mailbox %s%n", step + 1, url.describe());
        MailboxPoller poller = new MailboxPoller(new FeedbackParser(context.tokens()),
                context.engine().feedbackRecorder(SoftBouncePolicy.DEFAULT, "feedback poll"));
        FeedbackPollCommand.print(out, poller.poll(url, MailboxPoller.Disposal.FLAG), "   ");
        PollSummary again = poller.poll(url, MailboxPoller.Disposal.FLAG);
        out.printf("   polled again: %d new mails, nothing recorded twice%n", again.messages());

        out.println();
        out.printf("%d. %s clicks \"unsubscribe\" in the mail program, which posts to the List-Unsubscribe%n"
                + "   link (RFC 8058 one-click) served by mailer serve:%n", step + 2, sent.get(5).recipient());
        oneClick(sent.get(5).unsubscribeUrl());
        touched.put(sent.get(5).recipient(), "one-click unsubscribe through mailer serve");
        return touched;
    }

    /** What the gate says now about each person the loop touched. */
    void showReasons(Map<String, String> touched) {
        long campaignId = context.engine().stores().campaigns().findId(campaign.name()).orElseThrow();
        GateRules rules = campaign.gateRules(campaignId);
        ConsentGate gate = context.engine().gate();
        for (Map.Entry<String, String> person : touched.entrySet()) {
            String reason = gate.judge(rules, person.getKey())
                    .map(v -> v.eligible() ? "eligible" : v.reason().code())
                    .orElse("outside the audience");
            out.printf("   %-34s %-26s ← %s%n", person.getKey(), reason, person.getValue());
        }
    }

    private void deliver(GreenMailUser mailbox, byte[] raw, Map<String, String> touched, String person, String what)
            throws MessagingException {
        mailbox.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw)));
        touched.put(person, what);
        out.printf("   %-34s %s%n", person, what);
    }

    private void oneClick(String link) throws IOException, InterruptedException {
        try (FeedbackServer server = context.engine().serve(ServerSettings.of(context.tokens(), context.config().sender().organisation(), false), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            URI published = URI.create(link);
            URI local = URI.create("http://127.0.0.1:" + server.address().getPort() + published.getRawPath());
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(local)
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click"))
                            .build(), HttpResponse.BodyHandlers.ofString());
            out.printf("   POST %s (here http://127.0.0.1:%d%s) → HTTP %d%n", shorten(link),
                    server.address().getPort(), shorten(published.getRawPath()), response.statusCode());
        }
    }

    /** Six of the messages that went out, in a fixed order so that the demo tells the same story each time. */
    private List<Sent> sample(int count) throws MessagingException, IOException {
        List<Sent> all = new ArrayList<>();
        for (MimeMessage message : mailServer.getReceivedMessages()) {
            String returnPath = message.getHeader("Return-Path", null);
            String listUnsubscribe = message.getHeader("List-Unsubscribe", null);
            if (returnPath == null || listUnsubscribe == null) {
                continue;
            }
            Matcher https = HTTPS_LINK.matcher(listUnsubscribe);
            Matcher mailto = MAILTO_LINK.matcher(listUnsubscribe);
            if (!https.find() || !mailto.find()) {
                continue;
            }
            String recipient = ((InternetAddress) message.getRecipients(Message.RecipientType.TO)[0]).getAddress();
            all.add(new Sent(recipient, returnPath.replaceAll("[<>\\s]", ""), headers(message), https.group(1),
                    mailto.group(1)));
        }
        all.sort((a, b) -> a.recipient().compareTo(b.recipient()));
        List<Sent> spread = new ArrayList<>(); // across the alphabet, so across languages and providers
        for (int i = 0; i < count && i < all.size(); i++) {
            spread.add(all.get((int) ((i + 0.5) * all.size() / count)));
        }
        return spread;
    }

    private static String headers(MimeMessage message) throws MessagingException {
        StringBuilder headers = new StringBuilder();
        for (String line : Collections.list(message.getAllHeaderLines())) {
            headers.append(line).append("\r\n");
        }
        return headers.toString();
    }

    private static String shorten(String text) {
        return text.length() > 48 ? text.substring(0, 45) + "..." : text;
    }
}
