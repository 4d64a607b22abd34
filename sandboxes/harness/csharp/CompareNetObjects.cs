// The project's own stand-in for the part of the KellermanSoftware.CompareNetObjects
// NuGet package that MBXP C# tests use (CompareLogic.Compare(...).AreEqual), which
// cannot be installed offline: a deep comparison of values, lists and dictionaries.
using System;
using System.Collections;

namespace KellermanSoftware.CompareNetObjects
{
    public class ComparisonResult
    {
        public bool AreEqual { get; internal set; }
        public string DifferencesString { get; internal set; }
    }

    public class CompareLogic
    {
        public ComparisonResult Compare(object expected, object actual)
        {
            bool same = Same(expected, actual);
            return new ComparisonResult
            {
                AreEqual = same,
                DifferencesString = same ? "" : "expected " + Show(expected) + ", actual " + Show(actual),
            };
        }

        static bool Same(object a, object b)
        {
            if (a == null || b == null) return a == null && b == null;
            if (a is string || b is string) return Equals(a, b);
            IDictionary da = a as IDictionary, db = b as IDictionary;
            if (da != null && db != null)
            {
                if (da.Count != db.Count) return false;
                foreach (DictionaryEntry entry in da)
                    if (!db.Contains(entry.Key) || !Same(entry.Value, db[entry.Key])) return false;
                return true;
            }
            IEnumerable ea = a as IEnumerable, eb = b as IEnumerable;
            if (ea != null && eb != null)
            {
                IEnumerator ia = ea.GetEnumerator(), ib = eb.GetEnumerator();
                while (true)
                {
                    bool more = ia.MoveNext();
                    if (more != ib.MoveNext()) return false;
                    if (!more) return true;
                    if (!Same(ia.Current, ib.Current)) return false;
                }
            }
            return a.GetType() == b.GetType() && a.Equals(b);
        }

        static string Show(object value)
        {
            if (value == null) return "null";
            if (value is string) return "\"" + value + "\"";
            IEnumerable items = value as IEnumerable;
            if (items == null) return value.ToString();
            var parts = new System.Collections.Generic.List<string>();
            foreach (object item in items) parts.Add(Show(item));
            return "[" + string.Join(", ", parts) + "]";
        }
    }
}
