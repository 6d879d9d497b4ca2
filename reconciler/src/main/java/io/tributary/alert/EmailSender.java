package io.tributary.alert;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/** Email through the SMTP server of Settings ({@code spec.smtp}), with Jakarta Mail. */
final class EmailSender implements Sender {
    private final String host;
    private final int port;
    private final String from;
    private final String username;
    private final String password;
    private final boolean startTls;
    private final List<String> to;
    private final List<String> cc;

    EmailSender(String host, int port, String from, String username, String password, boolean startTls, List<String> to,
            List<String> cc) {
        this.host = host;
        this.port = port;
        this.from = from;
        this.username = username;
        this.password = password;
        this.startTls = startTls;
        this.to = List.copyOf(to);
        this.cc = List.copyOf(cc);
    }

    @Override
    public String send(Message message) throws DeliveryFailed {
        Properties props = new Properties();
        props.put("mail.smtp.host", host);
        props.put("mail.smtp.port", String.valueOf(port));
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "10000");
        props.put("mail.smtp.writetimeout", "10000");
        props.put("mail.smtp.auth", String.valueOf(username != null));
        props.put("mail.smtp.starttls.enable", String.valueOf(startTls));
        Session session = Session.getInstance(props);
        try {
            MimeMessage mail = new MimeMessage(session);
            mail.setFrom(new InternetAddress(from));
            for (String address : to) {
                mail.addRecipient(RecipientType.TO, new InternetAddress(address));
            }
            for (String address : cc) {
                mail.addRecipient(RecipientType.CC, new InternetAddress(address));
            }
            mail.setSubject(message.title(), "UTF-8");
            mail.setText(message.text(), "UTF-8");
            mail.setSentDate(new Date());
            if (username != null) {
                Transport.send(mail, username, password);
            } else {
                Transport.send(mail);
            }
            return "sent to " + String.join(", ", to) + " through " + host + ":" + port;
        } catch (MessagingException e) {
            throw new DeliveryFailed("SMTP " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }
}
