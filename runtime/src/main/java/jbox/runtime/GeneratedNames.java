// docker's adjective_surname names for containers run without --name.
package jbox.runtime;

import java.security.SecureRandom;
import java.util.List;
import java.util.function.Predicate;

/**
 * A name for a container run without --name, in docker's style ("focused_turing"): an adjective and
 * the surname of a scientist or engineer, from docker's names-generator lists (a subset). The
 * caller checks uniqueness under the names lock; after a few taken picks a digit is appended, as
 * docker does on retry.
 */
final class GeneratedNames {
    private static final List<String> LEFT = List.of("admiring", "adoring", "affectionate", "agitated", "amazing", "angry",
            "awesome", "beautiful", "blissful", "bold", "boring", "brave", "busy", "charming", "clever", "compassionate",
            "competent", "condescending", "confident", "cool", "cranky", "crazy", "dazzling", "determined", "distracted",
            "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic", "exciting", "fervent",
            "festive", "flamboyant", "focused", "friendly", "frosty", "funny", "gallant", "gifted", "goofy", "gracious",
            "great", "happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible", "inspiring", "intelligent",
            "interesting", "jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical", "modest",
            "musing", "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic", "objective", "optimistic",
            "peaceful", "pedantic", "pensive", "practical", "priceless", "quirky", "quizzical", "recursing", "relaxed",
            "reverent", "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic", "strange", "stupefied",
            "suspicious", "sweet", "tender", "thirsty", "trusting", "unruffled", "upbeat", "vibrant", "vigilant",
            "vigorous", "wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen");
    private static final List<String> RIGHT = List.of("agnesi", "albattani", "allen", "almeida", "archimedes", "ardinghelli",
            "aryabhata", "austin", "babbage", "banach", "bardeen", "bartik", "bassi", "bell", "benz", "bhabha", "bhaskara",
            "blackwell", "bohr", "booth", "borg", "bose", "boyd", "brahmagupta", "brattain", "brown", "carson", "cerf",
            "chandrasekhar", "chaplygin", "clarke", "colden", "cori", "cray", "curie", "darwin", "davinci", "dijkstra",
            "dirac", "driscoll", "dubinsky", "easley", "edison", "einstein", "elion", "engelbart", "euclid", "euler",
            "faraday", "feistel", "fermat", "fermi", "feynman", "franklin", "galileo", "gates", "goldberg", "goldstine",
            "goldwasser", "goodall", "hamilton", "hawking", "heisenberg", "hermann", "hertz", "hodgkin", "hofstadter",
            "hoover", "hopper", "hypatia", "jackson", "jang", "jennings", "jepsen", "johnson", "joliot", "jones", "kalam",
            "kapitsa", "kare", "keller", "kepler", "khorana", "kilby", "kirch", "knuth", "kowalevski", "lalande",
            "lamarr", "lamport", "leakey", "leavitt", "lederberg", "lehmann", "lewin", "liskov", "lovelace", "lumiere",
            "mahavira", "margulis", "matsumoto", "maxwell", "mayer", "mccarthy", "mcclintock", "mclean", "meitner",
            "mendel", "mendeleev", "merkle", "mirzakhani", "moore", "morse", "murdock", "napier", "nash", "neumann",
            "newton", "nightingale", "nobel", "noether", "northcutt", "noyce", "panini", "pare", "pascal", "pasteur",
            "payne", "perlman", "pike", "poincare", "poitras", "ptolemy", "raman", "ramanujan", "ride", "ritchie",
            "robinson", "roentgen", "rosalind", "rubin", "saha", "sammet", "sanderson", "shamir", "shannon", "shaw",
            "shirley", "shockley", "sinoussi", "snyder", "spence", "stallman", "stonebraker", "swanson", "swartz",
            "swirles", "tereshkova", "tesla", "tharp", "thompson", "torvalds", "turing", "varahamihira", "villani",
            "visvesvaraya", "volhard", "wescoff", "wiles", "williams", "wilson", "wing", "wozniak", "wright", "wu",
            "yalow", "yonath", "zhukovsky");
    private static final SecureRandom RANDOM = new SecureRandom();

    private GeneratedNames() {
    }

    /** A name {@code taken} does not know: about 20,000 pairs, then pairs with a digit. */
    static String pick(Predicate<String> taken) {
        for (int attempt = 0;; attempt++) {
            String name = LEFT.get(RANDOM.nextInt(LEFT.size())) + "_" + RIGHT.get(RANDOM.nextInt(RIGHT.size()));
            if (attempt >= 3) {
                name += RANDOM.nextInt(attempt < 100 ? 10 : 1_000_000);
            }
            if (!name.equals("boring_wozniak") && !taken.test(name)) { // docker's one exception: Steve Wozniak is not boring
                return name;
            }
        }
    }
}
