package dev.mailer.contacts;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Streams a contacts CSV (RFC 4180, UTF-8, header row) row by row: memory stays flat whatever
 * the file's size. Each row goes to the sink as a valid {@link ImportRow} or as a {@link Reject}
 * with the line the row starts on. A file that cannot be read as CSV at all stops with one
 * sentence naming the line.
 */
public final class ContactCsvReader {

    /** Receives rows in file order. */
    public interface Sink {
        void row(ImportRow row);

        void reject(Reject reject);

        /** How many bytes of the file are read so far; told every few hundred rows. */
        default void bytesRead(long bytes) {
        }
    }

    /** What the header says: which contact fields the file sets, and whether it has consent columns. */
    public record Header(boolean hasName, boolean hasLocale, boolean hasTags, boolean hasBirthDate,
                         boolean hasConsent, List<String> attributeNames) {
    }

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();

    private ContactCsvReader() {
    }

    /**
     * Reads the whole file into the sink. The header is handed over before the first row.
     *
     * @param options the source, purpose and zone of the file's consent columns, and how its columns map
     */
    public static void read(Path file, ImportOptions options, java.util.function.Consumer<Header> header, Sink sink) {
        String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        if (Files.isDirectory(file)) {
            throw MailerException.of(ErrorKind.INPUT_FILE, file + " is a directory, not a CSV file.");
        }
        // Invalid UTF-8 becomes U+FFFD, which RowParser rejects for that row only.
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (CountingInputStream in = new CountingInputStream(Files.newInputStream(file));
             RecordSizeGuard guard = new RecordSizeGuard(skipByteOrderMark(
                     new BufferedReader(new InputStreamReader(in, decoder), 1 << 16)));
             CSVParser parser = CSVParser.builder().setReader(guard).setFormat(FORMAT).get()) {
            Iterator<CSVRecord> records = parser.iterator();
            long previousEnd = 0;
            if (!hasNext(records, parser, fileName, 1)) {
                throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " is empty; expected a header row with an 'email' column.");
            }
            CSVRecord headerRecord = records.next();
            previousEnd = parser.getCurrentLineNumber();
            guard.recordEnded();
            HeaderPlan plan = HeaderPlan.resolve(headerRecord.toList(), fileName, options.preset(), options.map());
            CsvColumns columns = new CsvColumns(plan.header(), fileName);
            if (options.purpose() != null && plan.fileHasPurpose()) {
                throw MailerException.of(ErrorKind.USAGE, fileName + " has a consent_purpose column; --purpose is"
                        + " for files without one.");
            }
            if (options.purpose() != null && !columns.hasConsentColumns()) {
                throw MailerException.of(ErrorKind.USAGE, fileName + " has no consent columns, so --purpose has"
                        + " nothing to apply to (a row without consent columns imports the contact with no consent).");
            }
            header.accept(new Header(columns.has(CsvColumns.NAME), columns.has(CsvColumns.LOCALE),
                    columns.has(CsvColumns.TAGS), columns.has(CsvColumns.BIRTH_DATE), columns.hasConsentColumns(),
                    List.copyOf(columns.attributeNames())));
            RowParser rowParser = new RowParser(columns, options.source(), options.purpose(), options.timezone());
            long rows = 0;
            while (hasNext(records, parser, fileName, previousEnd + 1)) {
                CSVRecord record = records.next();
                long end = parser.getCurrentLineNumber();
                List<String> fields = record.toList();
                long line = Math.max(previousEnd + 1, end - embeddedLineBreaks(fields));
                previousEnd = end;
                guard.recordEnded();
                try {
                    if (plan.identity()) {
                        sink.row(rowParser.parse(line, fields));
                    } else {
                        RowParser.checkFields(fields, plan.sourceSize());
                        HeaderPlan.Mapped mapped = plan.apply(fields);
                        sink.row(rowParser.parse(line, mapped.fields(), mapped.attributes()));
                    }
                } catch (RowParser.BadRow bad) {
                    sink.reject(new Reject(line, shortEmail(fields, plan.emailSource()), bad.getMessage()));
                }
                if (++rows % 256 == 0) {
                    sink.bytesRead(in.count());
                }
            }
            sink.bytesRead(in.count());
        } catch (NoSuchFileException e) {
            throw MailerException.of(ErrorKind.INPUT_FILE, "File not found: " + file + ".");
        } catch (IOException e) {
            throw MailerException.of(ErrorKind.INPUT_FILE, "Cannot read " + file + ": " + e.getMessage() + ".");
        }
    }

    /**
     * Drops a UTF-8 byte order mark at the start, before the CSV parser sees it: left in, it would
     * stick to the first header field, and a quoted first column name would not be recognised.
     */
    private static BufferedReader skipByteOrderMark(BufferedReader reader) throws IOException {
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        return reader;
    }

    /** Counts the bytes read from the file, for the progress bar. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }

    private static boolean hasNext(Iterator<CSVRecord> records, CSVParser parser, String fileName, long line) {
        try {
            return records.hasNext();
        } catch (UncheckedIOException e) {
            IOException cause = e.getCause();
            if (cause instanceof RecordSizeGuard.RecordTooLargeException) {
                throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " line " + line + ": " + cause.getMessage()
                        + "; is a quote left open?");
            }
            throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " line " + line + ": not valid CSV ("
                    + cleanCsvMessage(cause.getMessage()) + ").");
        } catch (IllegalStateException e) {
            throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " line " + line + ": not valid CSV ("
                    + cleanCsvMessage(e.getMessage()) + ").");
        }
    }

    private static String cleanCsvMessage(String message) {
        if (message == null) {
            return "unreadable record";
        }
        String m = message.strip();
        int colon = m.indexOf(": ");
        // Commons CSV wraps the parser state into its messages; keep the human part
        return (m.startsWith("IOException reading next record") && colon > 0 ? m.substring(colon + 2) : m)
                .lines().findFirst().orElse(m);
    }

    private static long embeddedLineBreaks(List<String> fields) {
        long breaks = 0;
        for (String field : fields) {
            for (int i = 0; i < field.length(); i++) {
                char c = field.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 >= field.length() || field.charAt(i + 1) != '\n'))) {
                    breaks++;
                }
            }
        }
        return breaks;
    }

    private static String shortEmail(List<String> fields, int index) {
        if (index < 0 || index >= fields.size()) {
            return "";
        }
        String email = fields.get(index).strip();
        return email.length() <= EmailAddress.MAX_LENGTH ? email : email.substring(0, 60) + "...";
    }

}
