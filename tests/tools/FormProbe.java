// Drives an XForm through JavaRosa (the form engine inside ODK Collect) for tests.
//
// Compiled at test time against the JavaRosa classes bundled in pyxform's ODK_Validate.jar:
//   javac -cp ODK_Validate.jar -d OUT FormProbe.java
//   java -cp ODK_Validate.jar:OUT FormProbe form.xml media_dir < commands
//
// media_dir holds the CSV/XML files the form references as jr://file-csv/NAME or jr://file/NAME.
// Commands, one per line (fields separated by a single TAB; the value may be empty):
//   repeat<TAB>/data/members<TAB>3     ensure the repeat has 3 instances (walks the form)
//   answer<TAB>/data/a/b<TAB>value     answer the question, as Collect does: prints OK,
//                                      CONSTRAINT (constraint violated), REQUIRED, or NOTFOUND
//   answer<TAB>/data/members[2]/x<TAB>v   the same inside a repeat instance (1-based)
//   force<TAB>/data/a/b<TAB>value      store the value without checking its constraint (as an
//                                      older form version without the rule would); prints OK
//   list                               print the refs of all relevant questions, in order
//   eval<TAB>xpath                     evaluate an XPath expression against the main
//                                      instance and print the string value
//   serialize                          finalise the instance as Collect does when the form is
//                                      saved as finalised (postProcessInstance: `end` preload
//                                      etc.) and print "= " + base64 of the bytes that
//                                      XFormSerializingVisitor writes (Collect's submission.xml)
// Each command prints exactly one line, prefixed by the command's 1-based line number and TAB.
import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.FormIndex;
import org.javarosa.core.model.data.AnswerDataFactory;
import org.javarosa.core.model.data.IAnswerData;
import org.javarosa.core.model.data.UncastData;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeElement;
import org.javarosa.core.reference.Reference;
import org.javarosa.core.services.IPropertyManager;
import org.javarosa.core.services.PropertyManager;
import org.javarosa.core.services.properties.IPropertyRules;
import org.javarosa.core.reference.ReferenceFactory;
import org.javarosa.core.reference.ReferenceManager;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.core.services.transport.payload.ByteArrayPayload;
import org.javarosa.model.xform.XFormSerializingVisitor;
import org.javarosa.model.xform.XFormsModule;
import org.javarosa.xform.util.XFormUtils;
import org.javarosa.xpath.XPathNodeset;
import org.javarosa.xpath.XPathParseTool;
import org.javarosa.xpath.expr.XPathFuncExpr;

public final class FormProbe {
    private FormProbe() {}

    /** jr://file-csv/NAME and jr://file/NAME resolve to files in the media directory. */
    static final class MediaFactory implements ReferenceFactory {
        private final File dir;

        MediaFactory(File dir) {
            this.dir = dir;
        }

        @Override
        public boolean derives(String uri) {
            return uri.startsWith("jr://file-csv/") || uri.startsWith("jr://file/");
        }

        @Override
        public Reference derive(String uri) {
            String name = uri.substring(uri.lastIndexOf('/') + 1);
            return new MediaReference(uri, new File(dir, name));
        }

        @Override
        public Reference derive(String uri, String context) {
            return derive(uri);
        }
    }

    static final class MediaReference implements Reference {
        private final String uri;
        private final File file;

        MediaReference(String uri, File file) {
            this.uri = uri;
            this.file = file;
        }

        @Override public boolean doesBinaryExist() { return file.exists(); }
        @Override public InputStream getStream() throws IOException { return new FileInputStream(file); }
        @Override public String getURI() { return uri; }
        @Override public String getLocalURI() { return file.getAbsolutePath(); }
        @Override public boolean isReadOnly() { return true; }
        @Override public OutputStream getOutputStream() throws IOException { throw new IOException("read-only"); }
        @Override public void remove() throws IOException { throw new IOException("read-only"); }
        @Override public Reference[] probeAlternativeReferences() { return new Reference[0]; }
    }

    /** Stand-in for Collect's property manager (deviceid, username preloads). */
    static final class Properties implements IPropertyManager {
        private final Map<String, List<String>> values = new HashMap<>();

        Properties() {
            setProperty("deviceid", "collect:probe");
            setProperty("username", "probe");
        }

        @Override public List<String> getProperty(String name) { return values.get(name); }
        @Override public void setProperty(String name, String value) { values.put(name, List.of(value)); }
        @Override public void setProperty(String name, List<String> value) { values.put(name, value); }
        @Override public String getSingularProperty(String name) {
            List<String> v = values.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
        @Override public void addRules(IPropertyRules rules) {}
        @Override public List<IPropertyRules> getRules() { return new ArrayList<>(); }
    }

    private static FormDef form;
    private static FormEntryController fec;

    /** /data/g[1]/q[1] and /data/g/q name the same node; drop the [1]s so they compare. */
    private static String plain(String ref) {
        return ref.replaceAll("\\[1\\](?=/|$)", "");
    }

    private static String repeat(String ref, int wanted) {
        fec.jumpToIndex(FormIndex.createBeginningOfFormIndex());
        String target = ref.replaceAll("\\[\\d+\\]", "");
        int made = 0;
        int event;
        while ((event = fec.stepToNextEvent()) != FormEntryController.EVENT_END_OF_FORM) {
            if (event == FormEntryController.EVENT_PROMPT_NEW_REPEAT) {
                String here = fec.getModel().getFormIndex().getReference().toString(false);
                if (here.equals(target)) {
                    int mult = fec.getModel().getFormIndex().getReference().getMultLast();
                    if (mult < wanted) {
                        fec.newRepeat();
                        made++;
                    }
                }
            }
        }
        return "OK " + made;
    }

    private static String answer(String ref, String value) {
        return answer(ref, value, false);
    }

    private static String answer(String ref, String value, boolean force) {
        fec.jumpToIndex(FormIndex.createBeginningOfFormIndex());
        String want = plain(ref);
        int event;
        while ((event = fec.stepToNextEvent()) != FormEntryController.EVENT_END_OF_FORM) {
            if (event != FormEntryController.EVENT_QUESTION) {
                continue;
            }
            FormIndex index = fec.getModel().getFormIndex();
            if (!plain(index.getReference().toString(true)).equals(want)) {
                continue;
            }
            TreeElement node = form.getMainInstance().resolveReference(index.getReference());
            IAnswerData data = null;
            if (!value.isEmpty()) {
                data = AnswerDataFactory.templateByDataType(node.getDataType()).cast(new UncastData(value));
            }
            if (force) {
                return fec.saveAnswer(index, data, true) ? "OK" : "RESULT not saved";
            }
            int result = fec.answerQuestion(index, data, true);
            switch (result) {
                case FormEntryController.ANSWER_OK: return "OK";
                case FormEntryController.ANSWER_CONSTRAINT_VIOLATED: return "CONSTRAINT";
                case FormEntryController.ANSWER_REQUIRED_BUT_EMPTY: return "REQUIRED";
                default: return "RESULT " + result;
            }
        }
        return "NOTFOUND";
    }

    private static String list() {
        fec.jumpToIndex(FormIndex.createBeginningOfFormIndex());
        StringBuilder refs = new StringBuilder();
        int event;
        while ((event = fec.stepToNextEvent()) != FormEntryController.EVENT_END_OF_FORM) {
            if (event == FormEntryController.EVENT_QUESTION) {
                refs.append(' ').append(plain(fec.getModel().getFormIndex().getReference().toString(true)));
            }
        }
        return "=" + refs;
    }

    private static String eval(String expr) throws Exception {
        Object value = XPathParseTool.parseXPath(expr).eval(form.getMainInstance(), form.getEvaluationContext());
        if (value instanceof XPathNodeset) {
            value = ((XPathNodeset) value).unpack();
        }
        return XPathFuncExpr.toString(value);
    }

    /** What Collect does on "save as finalised": JavaRosaFormController.finalizeForm, then
     * getFilledInFormXml (XFormSerializingVisitor over the main instance). Base64 keeps the
     * one-line-per-command protocol. */
    private static String serialize() throws IOException {
        form.postProcessInstance();
        ByteArrayPayload payload =
            (ByteArrayPayload) new XFormSerializingVisitor().createSerializedPayload(form.getInstance());
        return "= " + Base64.getEncoder().encodeToString(payload.getPayloadBytes());
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        // JavaRosa logs to stderr through slf4j-nop; keep stdout for our protocol only.
        // As Collect does at start-up: XPath reference factory used by jr:choice-name() etc.
        new XFormsModule().registerModule();
        PropertyManager.setPropertyManager(new Properties());
        ReferenceManager.instance().addReferenceFactory(new MediaFactory(new File(args[1])));
        try (InputStream in = new FileInputStream(args[0])) {
            form = XFormUtils.getFormFromInputStream(in);
        }
        form.initialize(true, new InstanceInitializationFactory());
        fec = new FormEntryController(new FormEntryModel(form));
        out.println("READY");
        BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        int lineNo = 0;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            String result;
            try {
                switch (f[0]) {
                    case "repeat": result = repeat(f[1], Integer.parseInt(f[2])); break;
                    case "answer": result = answer(f[1], f.length > 2 ? f[2] : ""); break;
                    case "list": result = list(); break;
                    case "eval": result = "= " + eval(f[1]); break;
                    case "force": result = answer(f[1], f.length > 2 ? f[2] : "", true); break;
                    case "serialize": result = serialize(); break;
                    default: result = "ERROR unknown command " + f[0];
                }
            } catch (Exception e) {
                result = "ERROR " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' ');
            }
            out.println(lineNo + "\t" + result);
        }
    }
}
