// The CSV reader: every quirk real exports have, one test each.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crm/csv_reader.hpp"

using funnelsim::crm::CsvError;
using funnelsim::crm::CsvReader;

namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows read_all(const std::string& text, char* delimiter = nullptr) {
  std::istringstream in(text);
  CsvReader reader(in);
  Rows rows;
  std::vector<std::string> fields;
  while (reader.next(fields)) rows.push_back(fields);
  if (delimiter) *delimiter = reader.delimiter();
  return rows;
}

}  // namespace

TEST_CASE("csv: plain fields and a last line without a newline", "[crm][csv]") {
  CHECK(read_all("a,b,c\n1,2,3") == Rows{{"a", "b", "c"}, {"1", "2", "3"}});
  CHECK(read_all("a,,c\n,,\n") == Rows{{"a", "", "c"}, {"", "", ""}});
}

TEST_CASE("csv: quoted fields hold commas, doubled quotes and line breaks", "[crm][csv]") {
  const Rows rows = read_all("name,note\n\"Lee, Ava\",\"she said \"\"hi\"\"\"\n\"two\nlines\",x\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1] == std::vector<std::string>{"Lee, Ava", "she said \"hi\""});
  CHECK(rows[2] == std::vector<std::string>{"two\nlines", "x"});
}

TEST_CASE("csv: a record that spans lines keeps the line it started on", "[crm][csv]") {
  std::istringstream in("a,b\n\"1\n2\n3\",x\ny,z\n");
  CsvReader reader(in);
  std::vector<std::string> f;
  reader.next(f);
  reader.next(f);
  CHECK(reader.row() == 2);
  CHECK(reader.line() == 2);
  reader.next(f);
  CHECK(reader.row() == 3);
  CHECK(reader.line() == 5);
}

TEST_CASE("csv: a UTF-8 byte order mark is skipped", "[crm][csv]") {
  CHECK(read_all("\xEF\xBB\xBFRecord ID,Email\n1,a@example.com\n") ==
        Rows{{"Record ID", "Email"}, {"1", "a@example.com"}});
}

TEST_CASE("csv: CRLF line ends, and a lone CR", "[crm][csv]") {
  CHECK(read_all("a,b\r\n1,2\r\n3,4\r\n") == Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}});
  CHECK(read_all("a,b\r1,2\r") == Rows{{"a", "b"}, {"1", "2"}});
  CHECK(read_all("a,\"x\r\ny\"\r\n") == Rows{{"a", "x\r\ny"}});
}

TEST_CASE("csv: semicolons, as European spreadsheets write, and tabs", "[crm][csv]") {
  char d = 0;
  CHECK(read_all("Lead ID;Amount\n00Q1;\"48.213,57\"\n00Q2;1,5\n", &d) ==
        Rows{{"Lead ID", "Amount"}, {"00Q1", "48.213,57"}, {"00Q2", "1,5"}});
  CHECK(d == ';');
  CHECK(read_all("a\tb\n1\t2\n", &d) == Rows{{"a", "b"}, {"1", "2"}});
  CHECK(d == '\t');
  // A comma inside a quoted header field does not vote.
  read_all("\"a,b,c\";d;e\n", &d);
  CHECK(d == ';');
}

TEST_CASE("csv: UTF-8 text passes through byte for byte", "[crm][csv]") {
  CHECK(read_all("name\nJosé Müller 李\n") == Rows{{"name"}, {"José Müller 李"}});
}

TEST_CASE("csv: blank lines between records are skipped", "[crm][csv]") {
  CHECK(read_all("a\n\n1\n\r\n2\n\n") == Rows{{"a"}, {"1"}, {"2"}});
}

TEST_CASE("csv: a stray quote is kept as text, as spreadsheets do", "[crm][csv]") {
  CHECK(read_all("a,b\n5\" disk,x\n\"q\"rest,y\n") == Rows{{"a", "b"}, {"5\" disk", "x"}, {"qrest", "y"}});
}

TEST_CASE("csv: a quote left open at the end of the file is an error naming its line", "[crm][csv]") {
  std::istringstream in("a,b\n1,2\n\"open,3\n4\n");
  CsvReader reader(in);
  std::vector<std::string> f;
  reader.next(f);
  reader.next(f);
  try {
    reader.next(f);
    FAIL("no error");
  } catch (const CsvError& e) {
    CHECK(e.row() == 3);
    CHECK(std::string(e.what()) ==
          "expected a closing quote for the field opened on line 3, found the end of the file");
  }
}

TEST_CASE("csv: UTF-16 and UTF-32 files are refused by their byte order marks", "[crm][csv]") {
  for (const std::string& bom : {std::string("\xFF\xFE", 2), std::string("\xFE\xFF", 2)}) {
    std::istringstream in(bom + std::string("a\0,\0b\0", 6));
    CsvReader reader(in);
    std::vector<std::string> f;
    CHECK_THROWS_WITH(reader.next(f), Catch::Contains("found UTF-16"));
  }
  std::istringstream in(std::string("\xFF\xFE\x00\x00", 4));
  CsvReader reader(in);
  std::vector<std::string> f;
  CHECK_THROWS_WITH(reader.next(f), Catch::Contains("found UTF-32"));
}

TEST_CASE("csv: fields longer than the read chunk, quoted or not", "[crm][csv]") {
  const std::string big(3'000'000, 'x');
  const Rows rows = read_all("a,b\n\"" + big + "\"," + big + "\nend,1\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][0] == big);
  CHECK(rows[1][1] == big);
  CHECK(rows[2] == std::vector<std::string>{"end", "1"});
}

TEST_CASE("csv: a NUL byte inside a field is kept", "[crm][csv]") {
  CHECK(read_all(std::string("a\nx\0y\n", 6)) == Rows{{"a"}, {std::string("x\0y", 3)}});
}
