package example;

/** The smallest job jar: what the builds API test builds, without Flink, so it stays fast. */
public class Main {
    public static void main(String[] args) {
        System.out.println("version 1");
    }
}
