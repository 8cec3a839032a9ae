package dev.mailer.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The example campaigns, config and templates that ship inside the jar, copied out for the demo,
 * so that {@code mailer demo} works from any directory.
 */
public final class BundledFiles {
    private BundledFiles() {
    }

    /**
     * Copies the bundled folder {@code name} ("examples" or "templates" beside this class, or an
     * absolute resource path such as "/dev/mailer/cli/bench/templates") into {@code target}.
     */
    public static Path copy(String name, Path target) {
        URL url = BundledFiles.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException("the jar has no bundled " + name);
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    copyTree(jar.provider().getPath(uri), target);
                }
            } else {
                copyTree(Path.of(uri), target);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(source)) {
            paths = walk.toList();
        }
        for (Path path : paths) {
            Path destination = target.resolve(source.relativize(path).toString());
            if (Files.isDirectory(path)) {
                Files.createDirectories(destination);
            } else {
                Files.copy(path, destination, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
