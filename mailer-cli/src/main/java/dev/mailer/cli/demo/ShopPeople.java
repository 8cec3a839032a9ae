package dev.mailer.cli.demo;

import dev.mailer.cli.demo.SampleShop.Kind;
import java.text.Normalizer;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * The sample shop's customers as people: where they live, their names, birth dates, tags, city
 * and the address each picked. {@link SampleShop} decides each person's consent situation and
 * writes their rows; both draw from the same seeded {@link Random}, in a fixed order, so the
 * same day always gives the same file.
 */
final class ShopPeople {
    /** Where a customer lives: locale, time zone, the shop's sign-up form, and weighted cities and mail domains. */
    record Locality(String locale, ZoneId zone, String webForm, String[] cities, int[] cityWeights,
                    String[] domains, int[] domainWeights) {
    }

    static final Locality PL = new Locality("pl", ZoneId.of("Europe/Warsaw"),
            "https://kawiarnia.example/newsletter",
            new String[] {"Kraków", "Warszawa", "Gdańsk", "Wrocław", "Poznań", "Łódź", "Wieliczka", "Zakopane"},
            new int[] {40, 16, 8, 9, 7, 6, 8, 6},
            new String[] {"poczta.example", "onet.example", "wp.example", "interia.example", "o2.example",
                "gmail.example"},
            new int[] {22, 16, 16, 10, 6, 30});
    static final Locality SR = new Locality("sr-Latn", ZoneId.of("Europe/Belgrade"),
            "https://kawiarnia.example/sr/bilten",
            new String[] {"Beograd", "Novi Sad", "Niš", "Kragujevac", "Subotica", "Čačak"},
            new int[] {45, 22, 12, 8, 7, 6},
            new String[] {"eunet.example", "sbb.example", "mts.example", "yahoo.example", "gmail.example"},
            new int[] {18, 15, 15, 10, 42});
    static final Locality EN = new Locality("en", ZoneId.of("Europe/London"),
            "https://kawiarnia.example/en/newsletter",
            new String[] {"London", "Dublin", "Manchester", "Edinburgh", "Cork", "Bristol", "Galway"},
            new int[] {35, 22, 12, 10, 8, 7, 6},
            new String[] {"example.com", "example.org", "example.net", "outlook.example", "gmail.example",
                "btinternet.example", "eircom.example"},
            new int[] {18, 8, 8, 18, 34, 6, 8});

    private static final String[] PL_FEMALE = {"Łucja", "Zofia", "Małgorzata", "Agnieszka", "Katarzyna", "Anna",
        "Magdalena", "Żaneta", "Jadwiga", "Bożena", "Grażyna", "Halina", "Joanna", "Ewa", "Krystyna", "Wiesława",
        "Urszula", "Dorota", "Beata", "Alicja", "Weronika", "Gabriela", "Maja", "Zuzanna", "Julia", "Hanna", "Lena",
        "Jagoda", "Iwona", "Elżbieta"};
    private static final String[] PL_MALE = {"Jędrzej", "Łukasz", "Paweł", "Michał", "Wojciech", "Grzegorz",
        "Mikołaj", "Stanisław", "Bartłomiej", "Przemysław", "Zbigniew", "Krzysztof", "Tomasz", "Piotr", "Jan",
        "Maciej", "Jakub", "Marek", "Kacper", "Szymon", "Radosław", "Bogusław", "Jarosław", "Andrzej", "Błażej",
        "Józef", "Witold", "Ignacy"};
    /** "masculine/feminine" where Polish surnames inflect for gender, otherwise one form. */
    private static final String[] PL_SURNAMES = {"Wiśniewski/Wiśniewska", "Kowalski/Kowalska",
        "Żółtowski/Żółtowska", "Wróblewski/Wróblewska", "Dąbrowski/Dąbrowska", "Zieliński/Zielińska",
        "Szymański/Szymańska", "Kozłowski/Kozłowska", "Jankowski/Jankowska", "Piotrowski/Piotrowska",
        "Grabowski/Grabowska", "Pawłowski/Pawłowska", "Michalski/Michalska", "Jabłoński/Jabłońska",
        "Głowacki/Głowacka", "Chmielewski/Chmielewska", "Ćwikliński/Ćwiklińska", "Górski/Górska",
        "Sęk", "Woźniak", "Mazur", "Krawczyk", "Kaczmarek", "Król", "Wieczorek", "Wróbel", "Stępień",
        "Kołodziej", "Ślusarczyk", "Błaszczyk", "Żak", "Łuczak", "Gąsior", "Bąk", "Sikora", "Nowak", "Pietrzyk",
        "Mróz", "Gołąb", "Dudek"};
    private static final String[] SR_FEMALE = {"Milica", "Jelena", "Ana", "Jovana", "Dragana", "Snežana", "Ivana",
        "Marija", "Tijana", "Katarina", "Nevena", "Dušica", "Mirjana", "Gordana", "Ljiljana", "Tanja", "Đurđa",
        "Žaklina", "Vesna", "Danica", "Teodora", "Anđela"};
    private static final String[] SR_MALE = {"Đorđe", "Nikola", "Nemanja", "Stefan", "Miloš", "Dušan", "Marko",
        "Lazar", "Aleksandar", "Vuk", "Bojan", "Dragan", "Goran", "Željko", "Živko", "Dejan", "Branko", "Predrag",
        "Vladimir", "Ognjen", "Đurađ", "Luka"};
    private static final String[] SR_SURNAMES = {"Petrović", "Šćekić", "Čović", "Ćirić", "Jovanović", "Nikolić",
        "Đorđević", "Marković", "Ilić", "Stojanović", "Pavlović", "Živković", "Kovačević", "Lukić", "Mitrović",
        "Radovanović", "Stanković", "Đukić", "Vučković", "Šarić", "Bošković", "Kostić", "Tomić", "Obradović",
        "Savić", "Popović", "Žugić", "Čolić", "Knežević", "Filipović", "Raičević", "Šljivančanin"};
    private static final String[] EN_FEMALE = {"Chloe", "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie",
        "Grace", "Siobhán", "Aoife", "Niamh", "Saoirse", "Emma", "Charlotte", "Ella", "Lucy", "Hannah", "Zoë",
        "Renée", "Orla"};
    private static final String[] EN_MALE = {"Oliver", "Jack", "Harry", "George", "Noah", "Charlie", "Thomas",
        "Oscar", "William", "James", "Liam", "Seán", "Ciarán", "Pádraig", "Conor", "Finn", "Daniel", "Samuel",
        "Éamon", "Rory"};
    private static final String[] EN_SURNAMES = {"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies",
        "Evans", "Wilson", "O'Brien", "O'Connor", "Murphy", "Kelly", "Walsh", "McCarthy", "O'Sullivan", "Byrne",
        "Ryan", "Robinson", "Wright", "Thompson", "Hughes", "Edwards", "Green", "Hall", "Wood", "Clarke", "Doyle",
        "Ó Briain", "Mac Giolla", "D'Arcy"};

    /** Hand-picked people the demo can show by name; always plain eligible. */
    record Featured(String name, Locality locality, String email, String city) {
    }

    static final List<Featured> FEATURED = List.of(
            new Featured("Łucja Wiśniewska", PL, "lucja.wisniewska@poczta.example", "Kraków"),
            new Featured("Jędrzej Sęk", PL, "jedrzej.sek@onet.example", "Kraków"),
            new Featured("Zofia Żółtowska", PL, "zofia.zoltowska@gmail.example", "Gdańsk"),
            new Featured("Đorđe Petrović", SR, "djordje.petrovic@eunet.example", "Beograd"),
            new Featured("Milica Šćekić", SR, "milica.scekic@gmail.example", "Novi Sad"),
            new Featured("Nikola Čović", SR, "nikola.covic@sbb.example", "Beograd"),
            new Featured("Jelena Ćirić", SR, "jelena.ciric@mts.example", "Niš"),
            new Featured("Oliver Smith", EN, "oliver.smith@example.com", "London"),
            new Featured("Chloe O'Brien", EN, "chloe.obrien@eircom.example", "Dublin"));

    /** One customer; {@code kind} is the consent situation {@link SampleShop} writes rows for. */
    record Person(Kind kind, String email, String name, Locality locality, String tags,
                  LocalDate birthDate, String city, String loyaltyPoints) {
    }

    private final LocalDate today;
    private final Random random;
    /** Addresses already given out, so that every person gets their own. */
    private final Set<String> taken = new HashSet<>();

    ShopPeople(LocalDate today, Random random) {
        this.today = today;
        this.random = random;
        FEATURED.forEach(f -> taken.add(f.email()));
    }

    /** One of the hand-picked people, with a birth date and loyalty points like anyone else's. */
    Person featured(Featured f) {
        return new Person(Kind.PLAIN, f.email(), f.name(), f.locality(), "customers;newsletter-readers",
                adultBirthDate(), f.city(), String.valueOf(100 + random.nextInt(900)));
    }

    /** A new customer in the given situation: locality, name, birth date, tags, city and an unused address. */
    Person next(Kind kind) {
        int l = random.nextInt(100);
        Locality locality = l < 55 ? PL : l < 80 ? SR : EN;
        boolean female = random.nextBoolean();
        String first;
        String last;
        if (locality == PL) {
            first = pick(female ? PL_FEMALE : PL_MALE);
            String[] forms = pick(PL_SURNAMES).split("/");
            last = forms.length == 2 && female ? forms[1] : forms[0];
        } else if (locality == SR) {
            first = pick(female ? SR_FEMALE : SR_MALE);
            last = pick(SR_SURNAMES);
        } else {
            first = pick(female ? EN_FEMALE : EN_MALE);
            last = pick(EN_SURNAMES);
        }
        LocalDate birth = switch (kind) {
            case MINOR_WITH_PARENTAL_CONSENT, MINOR_WITHOUT_PARENTAL_CONSENT -> minorBirthDate();
            case BOUGHT_LIST -> random.nextInt(100) < 50 ? null : adultBirthDate();
            default -> random.nextInt(100) < 12 ? null : adultBirthDate();
        };
        String email = uniqueAddress(first, last, locality);
        String tags = tags(kind, locality);
        String points = tags.contains("customers") ? String.valueOf(random.nextInt(2500)) : "";
        String city = locality.cities()[weighted(locality.cityWeights())];
        return new Person(kind, email, first + " " + last, locality, tags, birth, city, points);
    }

    private String tags(Kind kind, Locality locality) {
        return switch (kind) {
            // The list was sold as "newsletter readers" and tagged that way on import, so the audience
            // filter lets these people through; only the consent gate keeps them out.
            case BOUGHT_LIST -> "bought-list;newsletter-readers";
            case EXISTING_CUSTOMER -> "customers";
            case MINOR_WITH_PARENTAL_CONSENT, MINOR_WITHOUT_PARENTAL_CONSENT -> "newsletter-readers";
            default -> {
                int t = random.nextInt(100);
                if (locality != EN && t < 6) {
                    yield "customers;wholesale";
                }
                yield t < 50 ? "customers" : t < 85 ? "customers;newsletter-readers" : "newsletter-readers";
            }
        };
    }

    /** 18 to 78 years old, never near a birthday that matters. */
    private LocalDate adultBirthDate() {
        return today.minusYears(18 + random.nextInt(61)).minusDays(5 + random.nextInt(355));
    }

    /**
     * 13 to 15 years old, at least a few days away from the 16th birthday, so a gate whose clock
     * is a time zone away from {@code today} still sees a minor.
     */
    private LocalDate minorBirthDate() {
        return today.minusYears(13 + random.nextInt(3)).minusDays(5 + random.nextInt(350));
    }

    private String uniqueAddress(String first, String last, Locality locality) {
        String f = ascii(first);
        String l = ascii(last).replace(" ", "");
        if (random.nextInt(100) < 60) {
            l = l.replace("'", ""); // many people drop the apostrophe, others keep it (it is valid atext)
        }
        int style = random.nextInt(100);
        String local;
        if (style < 50) {
            local = f + "." + l;
        } else if (style < 60) {
            local = f + l;
        } else if (style < 70) {
            local = f.charAt(0) + "." + l;
        } else if (style < 78) {
            local = f + "_" + l;
        } else if (style < 93) {
            // Not derived from the birth date: the same people must get the same addresses on any day.
            local = f + "." + l + String.format(Locale.ROOT, "%02d", 1 + random.nextInt(99));
        } else {
            local = l + "." + f;
        }
        String domain = locality.domains()[weighted(locality.domainWeights())];
        String email = local + "@" + domain;
        for (int n = 2; !taken.add(email); n++) {
            email = local + n + "@" + domain;
        }
        return email;
    }

    /** Someone whose row will carry one deliberate fault; the address is taken as given. */
    Person bad(String first, String last, String email) {
        taken.add(email);
        return new Person(Kind.PLAIN, email, first + " " + last, PL, "customers", adultBirthDate(), "Kraków",
                "0");
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private int weighted(int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int r = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    /** The usual way people turn their name into an address: no diacritics, lower case. */
    static String ascii(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            switch (c) {
                case 'ł' -> b.append('l');
                case 'Ł' -> b.append('L');
                case 'đ' -> b.append("dj");
                case 'Đ' -> b.append("Dj");
                default -> b.append(c);
            }
        }
        return Normalizer.normalize(b, Normalizer.Form.NFD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
    }
}
