#include "crypto/secret_box.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"

namespace gatehouse::crypto {
namespace {

namespace fs = std::filesystem;

// Counts up, so seal() output is reproducible in a test.
class CountingRandom final : public Random {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = next_++;
  }

 private:
  std::uint8_t next_ = 1;
};

class SecretBoxFile : public ::testing::Test {
 protected:
  void SetUp() override {
    SystemRandom rng;
    dir_ = fs::temp_directory_path() / ("gatehouse-secretbox-" + random_token(rng, 8));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_key(const fs::path& p, std::size_t size, fs::perms perms) {
    std::ofstream(p, std::ios::binary) << std::string(size, 'k');
    fs::permissions(p, perms);
  }

  fs::path dir_;
  CountingRandom rng_;
};

SecretBox make_box(Random& rng) {
  return SecretBox({{"k1", std::string(32, 'a')}, {"k2", std::string(32, 'b')}}, "k1", rng);
}

TEST(SecretBox, SealedValueOpensWithTheSameAad) {
  CountingRandom rng;
  const auto box = make_box(rng);
  const auto sealed = box.seal("client-secret", "team:acme:client_secret");
  EXPECT_TRUE(sealed.starts_with("gh1.k1."));
  EXPECT_EQ(sealed.find("client-secret"), std::string::npos);
  EXPECT_EQ(box.open(sealed, "team:acme:client_secret"), "client-secret");
}

TEST(SecretBox, EmptyPlaintextRoundTrips) {
  CountingRandom rng;
  const auto box = make_box(rng);
  EXPECT_EQ(box.open(box.seal("", "a"), "a"), "");
}

TEST(SecretBox, SameSecretSealsDifferentlyEachTime) {
  CountingRandom rng;
  const auto box = make_box(rng);
  EXPECT_NE(box.seal("s", "a"), box.seal("s", "a"));
}

// A sealed secret copied into another team's row must not open there.
TEST(SecretBox, WrongAadFails) {
  CountingRandom rng;
  const auto box = make_box(rng);
  const auto sealed = box.seal("client-secret", "team:acme:client_secret");
  const auto opened = box.open(sealed, "team:evil:client_secret");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().find("client-secret"), std::string::npos);
}

TEST(SecretBox, TamperedCiphertextFails) {
  CountingRandom rng;
  const auto box = make_box(rng);
  const auto sealed = box.seal("client-secret", "aad");
  const auto body = sealed.substr(7);
  auto raw = *base64url_decode(body);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto bad = raw;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(box.open("gh1.k1." + base64url_encode(bad), "aad")) << "byte " << i;
  }
  EXPECT_FALSE(box.open("gh1.k1." + base64url_encode(raw.substr(0, raw.size() - 1)), "aad"));
}

TEST(SecretBox, UnknownKeyIdFails) {
  CountingRandom rng;
  const auto box = make_box(rng);
  auto sealed = box.seal("s", "aad");
  sealed.replace(4, 2, "k9");
  const auto opened = box.open(sealed, "aad");
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().find("unknown key id"), std::string::npos);
}

TEST(SecretBox, OlderKeyStillOpensAfterRotation) {
  CountingRandom rng;
  const SecretBox old({{"k2", std::string(32, 'b')}}, "k2", rng);
  const auto box = make_box(rng);
  EXPECT_EQ(box.open(old.seal("s", "aad"), "aad"), "s");
}

TEST(SecretBox, GarbageIsRejected) {
  CountingRandom rng;
  const auto box = make_box(rng);
  for (const char* s : {"", "gh1", "gh1.k1", "gh2.k1.AAAA", "gh1.k1.!!!!", "gh1.k1.AAAA"})
    EXPECT_FALSE(box.open(s, "aad")) << s;
}

TEST(SecretBox, WrongKeySizeIsAStartupError) {
  CountingRandom rng;
  EXPECT_THROW(SecretBox({{"k", std::string(16, 'a')}}, "k", rng), std::invalid_argument);
  EXPECT_THROW(SecretBox({{"k", std::string(32, 'a')}}, "other", rng), std::invalid_argument);
}

TEST_F(SecretBoxFile, KeyFileIsCreatedWithMode0600) {
  const auto path = dir_ / "gatehouse.key";
  const auto box = SecretBox::load_or_create(path, rng_);
  ASSERT_TRUE(box) << box.error();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
}

TEST_F(SecretBoxFile, ReloadedKeyOpensWhatTheFirstLoadSealed) {
  const auto path = dir_ / "gatehouse.key";
  const auto first = SecretBox::load_or_create(path, rng_);
  ASSERT_TRUE(first);
  const auto sealed = first->seal("s", "aad");
  SystemRandom other;
  const auto second = SecretBox::load_or_create(path, other);
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(second->open(sealed, "aad"), "s");
}

TEST_F(SecretBoxFile, WorldReadableKeyFileIsRefused) {
  const auto path = dir_ / "open.key";
  write_key(path, 32, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  const auto box = SecretBox::load_or_create(path, rng_);
  ASSERT_FALSE(box);
  EXPECT_NE(box.error().find(path.string()), std::string::npos);
}

TEST_F(SecretBoxFile, GroupReadableKeyFileIsRefused) {
  const auto path = dir_ / "group.key";
  write_key(path, 32, fs::perms::owner_read | fs::perms::group_read);
  EXPECT_FALSE(SecretBox::load_or_create(path, rng_));
}

TEST_F(SecretBoxFile, WrongSizeKeyFileIsRefused) {
  const auto path = dir_ / "short.key";
  write_key(path, 31, fs::perms::owner_read | fs::perms::owner_write);
  const auto box = SecretBox::load_or_create(path, rng_);
  ASSERT_FALSE(box);
  EXPECT_NE(box.error().find(path.string()), std::string::npos);
  EXPECT_NE(box.error().find("32 bytes"), std::string::npos);
}

TEST_F(SecretBoxFile, SymlinkedKeyFileIsRefused) {
  const auto target = dir_ / "real.key";
  write_key(target, 32, fs::perms::owner_read | fs::perms::owner_write);
  const auto link = dir_ / "link.key";
  fs::create_symlink(target, link);
  EXPECT_FALSE(SecretBox::load_or_create(link, rng_));
}

TEST_F(SecretBoxFile, MissingDirectoryIsReportedWithThePath) {
  const auto path = dir_ / "nope" / "gatehouse.key";
  const auto box = SecretBox::load_or_create(path, rng_);
  ASSERT_FALSE(box);
  EXPECT_NE(box.error().find(path.string()), std::string::npos);
}

}  // namespace
}  // namespace gatehouse::crypto
