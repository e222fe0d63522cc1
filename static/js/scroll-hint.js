// A wide table or chart says that it scrolls when, and only when, it does not fit its room.
(function () {
  function mark() {
    document.querySelectorAll(".table-scroll").forEach(function (scroll) {
      var region = scroll.querySelector(".table-wrap");
      var overflows = region && region.scrollWidth > region.clientWidth + 1;
      scroll.classList.toggle("overflows", overflows);
      scroll.classList.toggle("fits", !overflows);
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
})();
