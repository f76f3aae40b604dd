package jbox.config;

/** Run in a child JVM by ConfigLoadOrderTest: prints each requested key as key=value, or the error. */
public final class ConfigProbe {
    private ConfigProbe() {
    }

    public static void main(String[] args) {
        try {
            Config c = Config.load(System.getenv("JBOX_CONFIG"));
            for (String key : args) {
                System.out.println(key + "=" + c.get(key));
            }
        } catch (jbox.JboxException e) {
            System.out.println("error: " + e.getMessage());
        }
    }
}
