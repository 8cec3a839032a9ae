package dev.mailer.config;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * A small hand-written YAML file (campaign file, {@code mailer.yaml}) read as a tree of nodes
 * rather than as Java objects.
 *
 * <p>Why nodes: every node keeps the line it came from, so each complaint can name the key and
 * the line, which is what a marketer editing the file needs. And nothing in the file can make
 * SnakeYAML construct a Java object: the file is only ever composed, never constructed, so tags
 * such as {@code !!java.net.URL} have no effect beyond being refused.
 *
 * <p>The limits (1 MB, few aliases, shallow nesting) keep a hostile or broken file from costing
 * memory or time: a "billion laughs" alias bomb fails while composing, before anything expands.
 *
 * <p>Every failure is a {@link MailerException} with {@code USAGE}, worded as one sentence that
 * starts with the file name and, where known, {@code line N}.
 */
public final class YamlDocument {

    /** Settings files are a few dozen lines; anything near this is a mistake or an attack. */
    public static final int MAX_BYTES = 1024 * 1024;

    /** Enough for someone reusing a list with an anchor, far too few for an alias bomb. */
    static final int MAX_COLLECTION_ALIASES = 10;

    /** The deepest real structure is two levels; the limit stops stack exhaustion on [[[[…. */
    static final int MAX_NESTING = 20;

    private static final Pattern TOP_LEVEL_KEY =
            Pattern.compile("^(?:\"([^\"]*)\"|'([^']*)'|([^\\s#:{\\[\"'][^:#]*?))\\s*:(?:\\s|$)");

    private final String name;
    private final Set<String> secretKeys;
    private final YamlMap root;

    private YamlDocument(String name, Set<String> secretKeys, MappingNode rootNode) {
        this.name = name;
        this.secretKeys = Set.copyOf(secretKeys);
        this.root = new YamlMap(this, rootNode, "", 0);
    }

    /** Reads a file whose values may all be shown in error messages. */
    public static YamlDocument read(Path file) {
        return read(file, Set.of());
    }

    /**
     * Reads a file.
     *
     * @param secretKeys keys (dotted paths) whose values may hold passwords: errors about them
     *     name the key and the line but never show the value, and YAML syntax errors inside them
     *     leave out SnakeYAML's description, which can quote a character of the value
     */
    public static YamlDocument read(Path file, Set<String> secretKeys) {
        String name = file.toString();
        String text = readText(file, name);
        Node node = compose(text, name, secretKeys);
        if (node == null) {
            throw MailerException.usage(name + " is empty: it has no keys, only blank lines or comments.");
        }
        if (!(node instanceof MappingNode mapping)) {
            throw MailerException.usage(name + " line " + (node.getStartMark().getLine() + 1)
                    + ": the file must consist of key: value lines, not " + YamlValue.describeKind(node) + ".");
        }
        return new YamlDocument(name, secretKeys, mapping);
    }

    /** The file name as given, used at the start of every message. */
    public String name() {
        return name;
    }

    public YamlMap root() {
        return root;
    }

    boolean isSecret(String path) {
        for (String secret : secretKeys) {
            if (path.equals(secret) || path.startsWith(secret + ".")) {
                return true;
            }
        }
        return false;
    }

    boolean hasSecrets() {
        return !secretKeys.isEmpty();
    }

    /** {@code <file> line N: sentence}; line 0 means the file as a whole. */
    MailerException error(int line, String sentence) {
        return MailerException.usage(line > 0 ? name + " line " + line + ": " + sentence : name + ": " + sentence);
    }

    private static String readText(Path file, String name) {
        if (Files.isDirectory(file)) {
            throw MailerException.usage(name + " is a directory, not a file.");
        }
        byte[] bytes;
        // Reading at most one byte more than the limit keeps a huge file or an endless pipe
        // from being loaded, and still tells us that it was too big.
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw MailerException.usage(name + ": no such file.");
        } catch (AccessDeniedException e) {
            throw MailerException.usage(name + " cannot be read: permission denied.");
        } catch (IOException e) {
            // A FileSystemException's message repeats the path; its reason alone reads better.
            String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                    : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new MailerException(ErrorKind.USAGE,
                    name + " cannot be read (" + oneLine(reason) + ").", e);
        }
        if (bytes.length > MAX_BYTES) {
            throw MailerException.usage(name + " is larger than 1 MB, far more than a settings file needs;"
                    + " check that it is the right file.");
        }
        String text = decodeUtf8(bytes, name);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // editors on Windows like to add a byte order mark
        }
        if (text.isBlank()) {
            throw MailerException.usage(name + " is empty.");
        }
        return text;
    }

    private static String decodeUtf8(byte[] bytes, String name) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            // The usual cause is a file saved as Windows-1250 or ISO-8859-2, where Polish
            // letters are single bytes; pointing at the line finds the word.
            int position = in.position();
            int line = 1;
            for (int i = 0; i < position; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw MailerException.usage(String.format(Locale.ROOT,
                    "%s line %d: the file is not UTF-8 text (byte 0x%02X); save it as UTF-8.",
                    name, line, bytes[position] & 0xFF));
        }
        out.flip();
        return out.toString();
    }

    private static Node compose(String text, String name, Set<String> secretKeys) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false); // only enforced on construction; YamlMap checks too
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_BYTES);
        options.setMergeOnCompose(false);
        options.setTagInspector(tag -> false);
        try {
            Composer composer = new Composer(new ParserImpl(new StreamReader(text), options), new Resolver(), options);
            return composer.getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = mark == null ? 0 : mark.getLine() + 1;
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw syntaxError(text, name, secretKeys, line, problem, e);
        } catch (ReaderException e) {
            int line = lineOfCodePoint(text, e.getPosition());
            String problem = String.format(Locale.ROOT,
                    "it contains the control character U+%04X, which YAML does not allow", e.getCodePoint());
            throw syntaxError(text, name, secretKeys, line, problem, e);
        } catch (YAMLException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (message.startsWith("Number of aliases")) {
                throw new MailerException(ErrorKind.USAGE, name
                        + ": too many YAML aliases (*name) to lists or mappings; at most "
                        + MAX_COLLECTION_ALIASES + " are allowed, so write the values out instead.", e);
            }
            throw syntaxError(text, name, secretKeys, 0, message, e);
        } catch (RuntimeException e) {
            // SnakeYAML has, in past versions, failed on odd input with plain runtime exceptions;
            // the user still deserves a sentence rather than a stack trace.
            throw syntaxError(text, name, secretKeys, 0, e.toString(), e);
        }
    }

    private static MailerException syntaxError(String text, String name, Set<String> secretKeys,
                                               int line, String problem, Exception cause) {
        String where = line > 0 ? name + " line " + line : name;
        if (!secretKeys.isEmpty()) {
            String key = line > 0 ? governingTopLevelKey(text, line) : null;
            if (key == null || secretKeys.contains(key)) {
                String what = key == null ? "" : " in the value of '" + key + "'";
                return new MailerException(ErrorKind.USAGE, where + ": not valid YAML" + what
                        + " (details are not shown because the value may hold a password;"
                        + " try putting the value in double quotes).", null);
            }
        }
        // SnakeYAML's own message quotes the surrounding text, which in a file with secrets
        // could be a neighbouring password line, so the cause (shown by --verbose) is dropped.
        return new MailerException(ErrorKind.USAGE,
                where + ": not valid YAML (" + oneLine(problem) + ").", secretKeys.isEmpty() ? cause : null);
    }

    /**
     * The top-level key whose value the given line belongs to, found from the raw text because a
     * file with a syntax error has no tree; null when it cannot be told.
     */
    static String governingTopLevelKey(String text, int line) {
        String[] lines = text.split("\\r\\n|\\r|\\n", -1);
        for (int i = Math.min(line, lines.length) - 1; i >= 0; i--) {
            String l = lines[i];
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(l.charAt(0))) {
                continue;
            }
            if (l.startsWith("---") || l.startsWith("...") || l.startsWith("%")) {
                return null;
            }
            Matcher m = TOP_LEVEL_KEY.matcher(l);
            if (!m.find()) {
                return null;
            }
            String key = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            return key.strip();
        }
        return null;
    }

    private static int lineOfCodePoint(String text, int codePointIndex) {
        int line = 1;
        int seen = 0;
        for (int i = 0; i < text.length() && seen < codePointIndex; seen++) {
            int cp = text.codePointAt(i);
            if (cp == '\n') {
                line++;
            }
            i += Character.charCount(cp);
        }
        return line;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s+", " ");
    }
}
