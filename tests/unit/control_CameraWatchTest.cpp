// Camera on/off bookkeeping for the rooms that count study time while the camera is on.
#include <gtest/gtest.h>

#include "CameraWatch.hpp"

using carrel::control::CameraWatch;

TEST(ControlCameraWatch, ScreenSharesAndAudioAreNotCameras) {
  EXPECT_TRUE(CameraWatch::isCamera("video0", "video"));
  EXPECT_FALSE(CameraWatch::isCamera("screen0", "video"));
  EXPECT_FALSE(CameraWatch::isCamera("audio0", "audio"));
  CameraWatch w;
  EXPECT_EQ(w.published("p1", "screen0", "video"), std::nullopt);
  EXPECT_EQ(w.published("p1", "audio0", "audio"), std::nullopt);
  EXPECT_FALSE(w.on("p1"));
}

TEST(ControlCameraWatch, OnWhilePublishedAndNotMuted) {
  CameraWatch w;
  EXPECT_EQ(w.published("p1", "video0", "video"), true);
  EXPECT_EQ(w.published("p1", "video0", "video"), std::nullopt);  // a repeat changes nothing
  EXPECT_EQ(w.muted("p1", true), false);
  EXPECT_EQ(w.muted("p1", true), std::nullopt);
  EXPECT_EQ(w.muted("p1", false), true);
  EXPECT_EQ(w.ended("p1", "video0"), false);
  EXPECT_EQ(w.ended("p1", "video0"), std::nullopt);
  EXPECT_FALSE(w.on("p1"));
}

TEST(ControlCameraWatch, MutedBeforePublishingStaysOffUntilUnmuted) {
  CameraWatch w;
  EXPECT_EQ(w.muted("p1", true), std::nullopt);
  EXPECT_EQ(w.published("p1", "video0", "video"), std::nullopt);
  EXPECT_EQ(w.muted("p1", false), true);
}

TEST(ControlCameraWatch, TwoCamerasEndOneByOneAndForgetTurnsOff) {
  CameraWatch w;
  EXPECT_EQ(w.published("p1", "video0", "video"), true);
  EXPECT_EQ(w.published("p1", "video1", "video"), std::nullopt);
  EXPECT_EQ(w.published("p2", "video0", "video"), true);
  EXPECT_EQ(w.ended("p1", "video0"), std::nullopt);
  EXPECT_TRUE(w.on("p1"));
  EXPECT_EQ(w.participantsOn(), (std::vector<std::string>{"p1", "p2"}));
  EXPECT_EQ(w.forget("p1"), false);
  EXPECT_EQ(w.forget("p1"), std::nullopt);
  EXPECT_EQ(w.participantsOn(), (std::vector<std::string>{"p2"}));
  EXPECT_EQ(w.ended("p3", "video0"), std::nullopt);
}
